"""The Vitality System rule plugin."""
