from .network_accuracy import NetworkAccuracy

__all__ = ['NetworkAccuracy']
