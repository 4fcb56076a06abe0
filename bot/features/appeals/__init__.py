"""Appeals: a sanctioned member asks the moderators, privately, to think again."""
