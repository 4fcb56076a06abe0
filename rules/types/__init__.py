"""One module per rule type, each holding its schema class (validated once,
when the config loads) and its compiled check (`<type>_check`). `base` is
what they share; `rules.schema` gathers them into the `Rule` union and
`rules.compiler` into the table of checks."""
