"""Walkthroughs: one idea each, run as ``python -m demos.<name>`` or opened as notebooks."""
