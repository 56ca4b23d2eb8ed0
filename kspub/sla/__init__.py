"""The SLA catalogue: its model and loader (:mod:`kspub.sla.catalogue`) and its diff (:mod:`kspub.sla.diff`)."""
