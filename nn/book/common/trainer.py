"""common/trainer.py: nn's Trainer, the book's interface with a progress bar in place of a line per step."""

from nn import Trainer

__all__ = ["Trainer"]
