"""No planted personal detail reaches any output file: pages, notebooks, tables, spreadsheets."""
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from evalkit.report import build_reports

pytestmark = pytest.mark.slow

PLANTED = {
    "email": "jo.bloggs.planted@example.com",
    "mobile": "07700 900461",
    "landline": "+44 20 7946 0321",
    "postcode": "SW1A 2AA",
    "nhs": "943 476 5870",
    "url": "https://planted.example.org/my-page",
}


def _plant(text: str, name: str) -> str:
    details = (f"Contact {name} on {PLANTED['mobile']} or {PLANTED['landline']}, {PLANTED['email']}, "
               f"{PLANTED['url']}, I live at {PLANTED['postcode']}, NHS no {PLANTED['nhs']}.")
    return f"{text} {details}" if text else details


def _plant_everywhere(root: Path) -> tuple[str, list[str]]:
    config = yaml.safe_load((root / "programme.yml").read_text(encoding="utf-8"))
    name = "Zebedee"
    config.setdefault("privacy", {}).setdefault("names", []).append(name)
    (root / "programme.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    raw_ids = []
    for source in config["sources"].values():
        if source["id_column"] == source["project_column"]:
            continue  # project-level facts: no people, no free text from them
        free = [c for c, spec in source["columns"].items() if spec["type"] == "free_text"]
        path = root / source["path"]
        if path.suffix == ".csv":
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            for col in free:
                df[col] = [_plant(v, name) for v in df[col]]
            raw_ids += list(df[source["id_column"]][:5])
            df.to_csv(path, index=False, lineterminator="\n")
        else:
            wb = load_workbook(path)
            ws = wb[source["sheet"]] if source.get("sheet") else wb.active
            header = [c.value for c in ws[1]]
            for col in free:
                j = header.index(col) + 1
                for r in range(2, ws.max_row + 1):
                    cell = ws.cell(r, j)
                    cell.value = _plant(cell.value or "", name)
            raw_ids += [ws.cell(r, header.index(source["id_column"]) + 1).value for r in range(2, 7)]
            wb.save(path)
    return name, [str(i) for i in raw_ids]


def _output_texts(out: Path):
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                for member in zf.namelist():
                    yield f"{path.name}:{member}", zf.read(member).decode("utf-8", "replace")
        else:
            yield path.name, path.read_bytes().decode("utf-8", "replace")


def test_planted_details_never_reach_outputs(sample_copy):
    name, raw_ids = _plant_everywhere(sample_copy)
    salt = (sample_copy / "pseudonym_salt.txt").read_text(encoding="utf-8").strip()
    out = sample_copy.parent / "out"
    result = build_reports(sample_copy / "programme.yml", out)
    assert result.ok, result.summary()
    needles = [*PLANTED.values(), PLANTED["nhs"].replace(" ", ""), name, salt]
    found = []
    n_files = 0
    for label, text in _output_texts(out):
        n_files += 1
        found += [f"{label}: {needle!r}" for needle in needles if needle in text]
        found += [f"{label}: raw id {i!r}" for i in raw_ids if f'"{i}"' in text or f">{i}<" in text or f",{i}," in text]
    assert n_files >= 15
    assert found == [], "\n".join(found[:20])
    # The markers show the redaction happened rather than the text vanishing.
    project_page = (out / "project-P01.html").read_text(encoding="utf-8")
    assert "[email]" in project_page or "[phone]" in project_page or "[name]" in project_page
