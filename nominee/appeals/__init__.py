"""Appeals: a declined nominee asks the organizers, once, to look at the decision again."""
