"""The rule engine: rule files read and validated, patterns compiled, check kinds run."""
