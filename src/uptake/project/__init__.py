"""The project: ``uptake.yaml`` parsed into frozen models."""

from uptake.project.loader import PROJECT_FILE, Problem, ProjectError, load_project
from uptake.project.models import Country, Project

__all__ = ["PROJECT_FILE", "Country", "Problem", "Project", "ProjectError", "load_project"]
