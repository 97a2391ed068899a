# Both networks of a learned mixer evaluated every epoch: the EMA teacher (the
# deployed model, what the references report) and the online classifier.
# Recipes: `val_evaluator = test_evaluator = _base_.ema_online_accuracy`.
ema_online_accuracy = [
    dict(type='NetworkAccuracy', network='ema', topk=(1, 5)),
    dict(type='NetworkAccuracy', network='online', topk=(1, 5)),
]
