"""The conductor: APScheduler triggers -> planner -> outbox rows -> a sender per kind.

Entry points are in bot.scheduling.runner: `start_background`, `run_forever`, `run_due`.
"""
