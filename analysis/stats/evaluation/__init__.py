"""Did visible policing change antisocial behaviour? Estimates with honest uncertainty.

The Local Focus hubs launched at different dates, which makes a natural
comparison. This module answers the PCC's question with four tools, every one
reporting a 95% confidence interval, the months it covers, its method and what it
assumes, in plain English:

1. **Interrupted time series (ITS)** per hub: a Poisson regression of monthly ASB
   on a linear trend, month-of-year terms and a step at the launch month, with
   standard errors scaled by the observed over-dispersion (quasi-Poisson). Also a
   pooled ITS across hubs (hub levels and trends, one common step).
2. **Stacked difference-in-differences (DiD)**, valid under staggered adoption: for
   each launch month a sub-experiment with the launching hubs as treated and only
   hubs that have *not yet launched* by the end of the window as controls, fixed
   effects per sub-experiment x hub and sub-experiment x month, and a Poisson
   regression with bias-reduced (CR2) standard errors clustered on the original
   hub-month (so a control month used in several sub-experiments is not counted
   as new evidence) and Bell-McCaffrey degrees of freedom. Leads and lags of the
   launch give an event study.
3. **Placebo checks**: the same estimator with launch dates moved earlier (using
   only pre-launch data) and on crime types visible patrols should not move.
4. **Dose-response**: ASB against log patrol hours, with hub fixed effects and
   month-of-year terms. Associational only.

:func:`.evaluate.evaluate` runs them all and picks the headline (``overall``): the stacked
DiD when at least one not-yet-launched control hub exists, otherwise the pooled
ITS. When the data cannot support any estimate (no launch dates, or fewer than
12 months before a launch or 6 after it) it raises :class:`.results.InsufficientData` with
a plain sentence and no number: "cannot tell yet" is an answer.

Effects are multiplicative: a coefficient ``b`` on the log scale is reported as
the percent change ``100 * (exp(b) - 1)``, and so are its interval ends.

The package never imports streamlit. One idea per module:
:mod:`.results` (what it returns), :mod:`.panel`, :mod:`.fitting`, :mod:`.its`, :mod:`.did`
(with the event study), :mod:`.placebo`, :mod:`.dose`, :mod:`.evaluate` (runs them all) and
:mod:`.words` (plain English).
"""
