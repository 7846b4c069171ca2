"""Staff tools over the unanswered-question log: grouping, teaching, the report and tracker changes."""
