"""FAQ answers: owner-written answers to the questions members keep asking."""
