"""The entry fee (入群费): a price on the entry link, paid before the invite."""
