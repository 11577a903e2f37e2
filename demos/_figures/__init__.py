"""The drawing code of the longer walkthroughs, one module each, so a walkthrough file reads as its steps."""
