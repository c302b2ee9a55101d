"""Renderers. They read ``kpi_values`` and never compute a KPI."""
