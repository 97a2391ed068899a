# ImageNet-1k "PyTorch-style" recipe of the reference, 100 epochs, total
# batch 256 (4 GPUs x 64): SGD lr 0.1, momentum 0.9, weight decay 1e-4,
# cosine annealing per epoch to 0 (the learned mixers' Mix Block schedule:
# imagenet_sgd_cosine_100e_mix_block.py).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))

param_scheduler = dict(
    type='CosineAnnealingLR',
    by_epoch=True,
    begin=0,
    end=100,
    T_max=100,
    eta_min=0.0,
)

train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# The LR above is for a total batch of 256 (used with --auto-scale-lr).
auto_scale_lr = dict(base_batch_size=256)
