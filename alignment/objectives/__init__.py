"""Goals, the KPI tree and the funnel."""
