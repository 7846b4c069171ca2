"""sendbot: answers questions about SEND in Leeds from staff-edited YAML files."""

__version__ = "0.1.0"
