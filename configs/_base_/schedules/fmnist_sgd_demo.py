# SGD recipe of the reference's CIFAR runs (lr 0.1, momentum 0.9, wd 1e-4),
# cosine-annealed to 0 over a short 5-epoch demo (updated every iteration).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))

param_scheduler = dict(
    type='CosineAnnealingLR',
    by_epoch=True,
    begin=0,
    end=5,
    eta_min=0.0,
    convert_to_iter_based=True,
)

train_cfg = dict(by_epoch=True, max_epochs=5, val_interval=1)
val_cfg = dict()
test_cfg = dict()
