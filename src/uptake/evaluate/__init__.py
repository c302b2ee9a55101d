"""Evaluation of KPI series: early-warning signals (goals, benchmarks and impact to come)."""
