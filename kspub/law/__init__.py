"""The legal core a legal reviewer signs off: the official working-day calendar (:mod:`kspub.law.workdays`),
periods and notice times (:mod:`kspub.law.period`), the Civil Code counting of notice windows
(:mod:`kspub.law.counting`) and the notice rules (:mod:`kspub.law.notice`).
Each part cites the decision records (docs/decisions/) and the legal reference (docs/legal/) it implements."""
