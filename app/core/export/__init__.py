"""Exports: saved configurations, planning, the engine, dry runs and resume."""

from app.core.export.engine import Progress, default_in_flight, run_export
from app.core.export.models import Export
from app.core.export.plan import (
    ExportPlan,
    PlanProblems,
    Problem,
    SegmentPlan,
    Services,
    check_export,
    plan_export,
)
from app.core.export.removals import LargeRemoval, MassRemoval
from app.core.export.runner import ExportRunner
from app.core.export.service import ExportService

__all__ = [
    "Export",
    "ExportPlan",
    "ExportRunner",
    "ExportService",
    "LargeRemoval",
    "MassRemoval",
    "PlanProblems",
    "Problem",
    "Progress",
    "SegmentPlan",
    "Services",
    "check_export",
    "default_in_flight",
    "plan_export",
    "run_export",
]
