# Fine-grained transfer recipe of the reference (CUB-200, FGVC-Aircraft,
# Stanford-Cars), 200 epochs from ImageNet weights, batch 16 on one GPU:
# SGD lr 0.001, momentum 0.9, weight decay 5e-4, cosine annealing per epoch
# to 0 (OpenMixup cub200/mixups/basic/r18_mixups_CE_none.py and the
# AdAutoMix cub200 configs). The learned mixers' Mix Block schedules:
# finegrained_sgd_cosine_200e_{adautomix,automix}.py.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=5e-4))

param_scheduler = dict(
    type='CosineAnnealingLR',
    by_epoch=True,
    begin=0,
    end=200,
    T_max=200,
    eta_min=0.0,
)

train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=16)
