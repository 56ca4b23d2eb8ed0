"""The legal core a legal reviewer signs off: the official working-day calendar (:mod:`kspub.law.workdays`),
the Civil Code period arithmetic (:mod:`kspub.law.period`) and the notice rules (:mod:`kspub.law.notice`).
Each part cites the decision records (docs/decisions/) and the legal reference (docs/legal/) it implements."""
