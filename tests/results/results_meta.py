"""Reference numbers for evalkit.synthesis.effect_sizes and evalkit.synthesis (statsmodels style).

Every number below is PUBLISHED output of the R package metafor (Viechtbauer 2010, "Conducting
meta-analyses in R with the metafor package", J Stat Softw 36(3)), taken from the package's
README, its documentation, or its own test suite (github.com/wviechtb/metafor,
tests/testthat/). The R call that produced each block is given above it. Values are printed by
metafor to 4 decimals, so tests compare at that precision.
"""

# ---------------------------------------------------------------------------------------------
# BCG vaccine trials (dat.bcg; Colditz et al. 1994), typed in from the table printed in the
# metafor README:  trial, author, year, tpos, tneg, cpos, cneg, ablat, alloc
BCG = [
    (1, "Aronson", 1948, 4, 119, 11, 128, 44, "random"),
    (2, "Ferguson & Simes", 1949, 6, 300, 29, 274, 55, "random"),
    (3, "Rosenthal et al", 1960, 3, 228, 11, 209, 42, "random"),
    (4, "Hart & Sutherland", 1977, 62, 13536, 248, 12619, 52, "random"),
    (5, "Frimodt-Moller et al", 1973, 33, 5036, 47, 5761, 13, "alternate"),
    (6, "Stein & Aronson", 1953, 180, 1361, 372, 1079, 44, "alternate"),
    (7, "Vandiviere et al", 1973, 8, 2537, 10, 619, 19, "random"),
    (8, "TPT Madras", 1980, 505, 87886, 499, 87892, 13, "random"),
    (9, "Coetzee & Berjak", 1968, 29, 7470, 45, 7232, 27, "random"),
    (10, "Rosenthal et al", 1961, 17, 1699, 65, 1600, 42, "systematic"),
    (11, "Comstock et al", 1974, 186, 50448, 141, 27197, 18, "systematic"),
    (12, "Comstock & Webster", 1969, 5, 2493, 3, 2338, 33, "systematic"),
    (13, "Comstock et al", 1976, 27, 16886, 29, 17825, 33, "systematic"),
]

# R: dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
# (metafor README, printed with 4 decimals)
BCG_RR_YI = [-0.8893, -1.5854, -1.3481, -1.4416, -0.2175, -0.7861, -1.6209, 0.0120, -0.4694,
             -1.3713, -0.3394, 0.4459, -0.0173]
BCG_RR_VI = [0.3256, 0.1946, 0.4154, 0.0200, 0.0512, 0.0069, 0.2230, 0.0040, 0.0564, 0.0730,
             0.0124, 0.5325, 0.0714]

# R: res <- rma(yi, vi, data=dat, method="FE")
# metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r (checked against Stata metan)
BCG_FE = dict(estimate=-0.4303, ci_low=-0.5097, ci_high=-0.3509, z_or_t=-10.6247, q=152.2330)
# R: predict(res, transf=exp)
BCG_FE_EXP = dict(pred=0.6503, ci_low=0.6007, ci_high=0.7040)

# R: res <- rma(yi, vi, data=dat, method="DL")   (same test file)
BCG_DL = dict(estimate=-0.7141, ci_low=-1.0644, ci_high=-0.3638, z_or_t=-3.9952, tau2=0.3088,
              i2=92.1173)
# R: predict(res, transf=exp)
BCG_DL_EXP = dict(pred=0.4896, ci_low=0.3449, ci_high=0.6950)

# R: res <- rma(yi, vi, data=dat)   # method="REML", test="z" (defaults)
# Viechtbauer (2010) JSS, section 3.3 print-out:
#   tau^2 0.3132 (SE = 0.1664), tau 0.5597, I^2 92.22%, H^2 12.86, Q(df = 12) = 152.2330,
#   estimate -0.7145, se 0.1798, zval -3.9744, pval < .0001, ci -1.0669 to -0.3622
# R: predict(res, transf=exp, digits=2)  ->  pred 0.49, ci 0.34 to 0.70, pi 0.15 to 1.55
BCG_REML = dict(estimate=-0.7145, se=0.1798, z_or_t=-3.9744, ci_low=-1.0669, ci_high=-0.3622,
                tau2=0.3132, tau=0.5597, i2=92.22, h2=12.86, q=152.2330, q_df=12)
BCG_REML_PI_EXP_2DP = dict(pi_low=0.15, pi_high=1.55)

# R: res <- rma(yi, vi, data=dat, test="knha"); res; predict(res, transf=exp, digits=2)
# metafor README ("Example" section):
#   estimate -0.7145, se 0.1808, tval -3.9522, df 12, pval 0.0019, ci -1.1084 to -0.3206
#   pred 0.49, ci 0.33 to 0.73, pi 0.14 to 1.76
BCG_REML_KNHA = dict(estimate=-0.7145, se=0.1808, z_or_t=-3.9522, df=12, p_value=0.0019,
                     ci_low=-1.1084, ci_high=-0.3206, tau2=0.3132, i2=92.22, h2=12.86)
BCG_REML_KNHA_EXP_2DP = dict(pred=0.49, ci_low=0.33, ci_high=0.73, pi_low=0.14, pi_high=1.76)

# Paule-Mandel: metafor tests/testthat/test_misc_rma_uni.r,
#   rma(yi, vi, data=dat, method="DLIT")$tau2 == rma(yi, vi, data=dat, method="SJIT")$tau2 == 0.3181
# Iterated DL and iterated SJ both stop where the generalised Q(tau^2) equals k - 1, which is
# the Paule-Mandel estimating equation (DerSimonian & Kacker 2007), so PM tau^2 = 0.3181.
BCG_PM_TAU2 = 0.3181

# R: escalc(measure="OR", ...); rma(yi, vi, method="FE") / method="DL"  (metan test file)
BCG_OR_FE = dict(estimate=-0.4361, ci_low=-0.5190, ci_high=-0.3533, z_or_t=-10.3190, q=163.1649)
BCG_OR_DL = dict(estimate=-0.7474, ci_low=-1.1242, ci_high=-0.3706, z_or_t=-3.8873, tau2=0.3663,
                 i2=92.6455)
# R: escalc(measure="RD", ...); rma(yi, vi, method="FE") / method="DL"  (metan test file)
BCG_RD_FE = dict(estimate=-0.0009, ci_low=-0.0014, ci_high=-0.0005, z_or_t=-4.0448, q=276.4737)
BCG_RD_DL = dict(estimate=-0.0071, ci_low=-0.0101, ci_high=-0.0040, z_or_t=-4.5128, tau2=0.0000,
                 i2=95.6596)

# ---------------------------------------------------------------------------------------------
# Morris (2008) pre-post-control example (metafor tests/testthat/test_analysis_example_morris2008.r;
# metafor-project.org/doku.php/analyses:morris2008). Treatment (T) and control (C) groups.
MORRIS_T = dict(m_pre=[30.6, 23.5, 0.5, 53.4, 35.6], m_post=[38.5, 26.8, 0.7, 75.9, 36.0],
                sd_pre=[15.0, 3.1, 0.1, 14.5, 4.7], sd_post=[11.6, 4.1, 0.1, 4.4, 4.6],
                ni=[20, 50, 9, 10, 14], ri=[.47, .64, .77, .89, .44])
MORRIS_C = dict(m_pre=[23.1, 24.9, 0.6, 55.7, 34.8], m_post=[19.7, 25.3, 0.6, 60.7, 33.4],
                sd_pre=[13.8, 4.1, 0.2, 17.3, 3.1], sd_post=[14.8, 3.3, 0.2, 17.9, 6.9],
                ni=[20, 42, 9, 11, 14], ri=[.47, .64, .77, .89, .44])

# R: escalc(measure="SMCR", m1i=m_post, m2i=m_pre, sd1i=sd_pre, ni=ni, ri=ri, data=datT / datC)
MORRIS_SMCR_T = dict(yi=[0.5056, 1.0481, 1.8054, 1.4181, 0.0801], vi=[0.0594, 0.0254, 0.2322, 0.1225, 0.0802])
MORRIS_SMCR_C = dict(yi=[-0.2365, 0.0958, 0.0000, 0.2667, -0.4250], vi=[0.0544, 0.0173, 0.0511, 0.0232, 0.0864])
# yi_T - yi_C to 2 decimals: Morris (2008) Table 1, p. 368
MORRIS_SMCR_DIFF_2DP = [0.74, 0.95, 1.81, 1.15, 0.51]
# R: rma(yi, vi, data=escalc(measure="SMCR", ..., data=datT))$tau2   (test_misc_rma_uni.r)
MORRIS_SMCR_T_REML_TAU2 = 0.3164

# R: escalc(measure="SMCC", m1i=m_post, m2i=m_pre, sd1i=sd_post, sd2i=sd_pre, ni=ni, ri=ri, ...)
MORRIS_SMCC_T = dict(yi=[0.5417, 1.0198, 2.6619, 1.9088, 0.0765], vi=[0.0573, 0.0304, 0.5048, 0.2822, 0.0716])
MORRIS_SMCC_C = dict(yi=[-0.2213, 0.1219, 0.0000, 0.5575, -0.2126], vi=[0.0512, 0.0240, 0.1111, 0.1050, 0.0730])

# ---------------------------------------------------------------------------------------------
# Normand (1999) length of hospital stay for stroke (dat.normand1999):
#   n1i, m1i, sd1i (specialist care), n2i, m2i, sd2i (routine care)
NORMAND = dict(
    n1i=[155, 31, 75, 18, 8, 57, 34, 110, 60], m1i=[55, 27, 64, 66, 14, 19, 52, 21, 30],
    sd1i=[47, 7, 17, 20, 8, 7, 45, 16, 27],
    n2i=[156, 32, 71, 18, 13, 52, 33, 183, 52], m2i=[75, 29, 119, 137, 18, 18, 41, 31, 23],
    sd2i=[64, 4, 29, 48, 11, 4, 34, 27, 20],
)
# R: rma(measure="SMD", m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i,
#        data=dat.normand1999, subset=1:4)$tau2            (test_misc_rma_uni.r)
NORMAND_SMD_1TO4_REML_TAU2 = 1.0090
# R (test_analysis_example_normand1999.r; Normand 1999 Tables VIII and IX, pp. 351-352):
#   sdpi <- sqrt(((n1i-1)*sd1i^2 + (n2i-1)*sd2i^2)/(n1i+n2i-2))
#   dat <- escalc(measure="MD", m1i=m1i, sd1i=sdpi, n1i=n1i, m2i=m2i, sd2i=sdpi, n2i=n2i, ...)
NORMAND_MD_YI = [-20, -2, -55, -71, -4, 1, 11, -10, 7]
NORMAND_MD_VI_2DP = [40.59, 2.05, 15.28, 150.22, 20.19, 1.22, 95.38, 8.03, 20.69]
# rma(yi, vi, method="FE") / "DL" / "REML", to 2 decimals
NORMAND_MD_FE_2DP = dict(estimate=-3.49, ci_low=-5.03, ci_high=-1.96)
NORMAND_MD_DL_2DP = dict(estimate=-14.10, ci_low=-24.45, ci_high=-3.75, tau2=218.72)
NORMAND_MD_REML_2DP = dict(estimate=-15.12, ci_low=-32.67, ci_high=2.43, tau2=685.20)

# Hine (1989) lidocaine trials (dat.hine1989): n1i, n2i, ai (deaths, lidocaine), ci (control)
HINE = dict(n1i=[39, 44, 107, 103, 110, 154], n2i=[43, 44, 110, 100, 106, 146],
            ai=[2, 4, 6, 7, 7, 11], ci=[1, 4, 4, 5, 3, 4])
# R: escalc(measure="RD", n1i=n1i, n2i=n2i, ai=ai, ci=ci, data=dat.hine1989); yi*100, vi*100^2
#    (Normand 1999 Table III, p. 330; test_analysis_example_normand1999.r)
HINE_RD_YI_PCT = [2.8026, 0.0000, 1.9711, 1.7961, 3.5334, 4.4031]
HINE_RD_VI_PCT2 = [17.7575, 37.5657, 8.1323, 10.8998, 8.0114, 6.1320]
# rma(yi, vi, method="FE") on the percentage scale, Normand 1999 Table VII p. 349
HINE_RD_FE = dict(estimate_2dp=2.94, ci_low_1dp=0.4, ci_high_1dp=5.5)

# ---------------------------------------------------------------------------------------------
# Edge cases (issue 16). Produced with metafor 3.8-1 (Debian's r-cran-metafor, R 4.2.2), printed
# with sprintf("%.10f"). logLik() is metafor's restricted log-likelihood, constants included.
#
# 1. Fisher scoring stops at a local maximum; the boundary tau^2 = 0 is higher.
# R: rma(c(-0.4534, 0.0348, 0.0543), c(0.043626, 0.001794, 0.001074))
#    -> warns "Fisher scoring algorithm may have gotten stuck at a local maximum. Setting
#       tau^2 = 0", tau2 0, estimate 0.0394087677, se 0.0257220363, logLik 0.3043168913
# R: logLik(rma(..., tau2=0.024105116, method="REML"))  -> -0.0863082434 (the local maximum)
LOCAL_MAX_Y = [-0.4534, 0.0348, 0.0543]
LOCAL_MAX_V = [0.043626, 0.001794, 0.001074]
LOCAL_MAX_REML = dict(tau2=0.0, estimate=0.0394087677, se=0.0257220363, loglik=0.3043168913)
LOCAL_MAX_LOGLIK_AT_0241 = -0.0863082434

# 2. A subgroup where metafor's default also stops at the local maximum.
# R: rma(y, v)  with y = c(0.745, 3.311, 0.933), v = c(3.06e-4, 0.969, 5.74e-4)
#    -> tau2 0.8503045393, estimate 1.3074386139, logLik -3.3301784482   (local maximum)
# R: rma(y, v, control=list(tau2.init=0.01, threshold=1e-12, maxiter=1000))
#    -> tau2 0.0207295082, estimate 0.8645675440, se 0.1023344376, logLik -3.1810014543
SUBGROUP_Y = [0.745, 3.311, 0.933]
SUBGROUP_V = [3.06e-4, 0.969, 5.74e-4]
SUBGROUP_REML = dict(tau2=0.0207295082, estimate=0.8645675440, se=0.1023344376,
                     loglik=-3.1810014543)
SUBGROUP_LOCAL = dict(tau2=0.8503045393, estimate=1.3074386139, loglik=-3.3301784482)

# 3. Fisher scoring oscillates: rma(y8, v8) stops with "Fisher scoring algorithm did not
#    converge"; with step halving it converges:
# R: rma(y8, v8, control=list(stepadj=0.5, maxiter=1000, threshold=1e-12))
#    -> tau2 0.0060717907, estimate -0.0487671841, se 0.0687231325, logLik 2.6324071898
OSCILLATE_Y = [0.013893, 0.031287, -0.002816, -0.023937, -0.013416, 0.043403, -0.274809,
               0.191105]
OSCILLATE_V = [0.03368087, 0.04332022, 0.03644491, 0.03771018, 0.03296569, 0.04030062,
               0.01241759, 0.04738329]
OSCILLATE_REML = dict(tau2=0.0060717907, estimate=-0.0487671841, se=0.0687231325,
                      loglik=2.6324071898)

# 4. A cancellation that made evalkit's step -inf (and its step halving loop endless).
# R: rma(c(0, 1, 0.5), c(1e-12, 1e6, 1))  -> warns that the variance ratio is extreme;
#    tau2 0, estimate 5.00001e-13
HANG_Y = [0.0, 1.0, 0.5]
HANG_V = [1e-12, 1e6, 1.0]
HANG_REML = dict(tau2=0.0, estimate=5.00001e-13)

# 5. Knapp-Hartung with identical effects.
# R: rma(c(.3,.3,.3), c(.1,.2,.3), test="knha")  -> se 0, tval Inf, ci 0.3 to 0.3 (metafor
#    sets the factor to 0 when the weighted RSS is below machine epsilon)
# R: rma(c(.3,.3,.3), c(.1,.2,.3), test="adhoc")   (the factor truncated at 1)
#    -> estimate 0.3, se 0.2335496832, tval 1.2845232579, pval 0.3276497977,
#       ci -0.7048831822 to 1.3048831822, predict() pi -0.7048831822 to 1.3048831822
KH_SAME_Y = [0.3, 0.3, 0.3]
KH_SAME_V = [0.1, 0.2, 0.3]
KH_SAME_ADHOC = dict(estimate=0.3, se=0.2335496832, z_or_t=1.2845232579, p_value=0.3276497977,
                     ci_low=-0.7048831822, ci_high=1.3048831822, pi_low=-0.7048831822,
                     pi_high=1.3048831822)
# A data set whose weighted residual variance is below 1:
# R: rma(y, v, test="adhoc") / rma(y, v, test="knha"), y = c(.10, .12, .11, .13),
#    v = c(.01, .02, .015, .03)
#    adhoc: se 0.06324555, ci -0.09060891 to 0.31194224, pval 0.17846258
#    knha:  se 0.00613430, ci  0.09114459 to 0.13018875   (narrower than the z interval)
KH_LOW_Y = [0.10, 0.12, 0.11, 0.13]
KH_LOW_V = [0.01, 0.02, 0.015, 0.03]
KH_LOW_ADHOC = dict(se=0.06324555, ci_low=-0.09060891, ci_high=0.31194224, p_value=0.17846258)
KH_LOW_KNHA_SE = 0.00613430
# R: rma(yi, vi, data=dat, test="adhoc") on the BCG data gives the same se (0.180792) and
#    ci (-1.108444 to -0.320621) as test="knha": there the factor is above 1.
