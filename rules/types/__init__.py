"""One module per rule type, each holding the whole type: its schema class
(validated once, when the config loads), its compiled check (`<type>_check`)
and its wording for /rules and /why (`describe`). `base` is what they share;
`rules.schema` gathers them into the `Rule` union and `rules.compiler` into
the table of checks."""
