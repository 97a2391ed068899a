# Transformer-style recipe of the reference's CIFAR-100 Swin-T runs
# (JinXins/Adversarial-AutoMixup cifar100/vit/swin_t_adautomix_nearest.py),
# 200 epochs: AdamW lr 5e-4, betas (0.9, 0.999), eps 1e-8, weight decay 0.05
# except on norm layers, biases and Swin's position tables; gradient-norm
# clipping at 10; 20-epoch linear warm-up from 1e-5 x lr, then cosine to
# 1e-4; both updated every iteration. Deviation from mmcv's schedule: the
# cosine runs over epochs 20-200 after a separate warm-up (mmcv's warm-up
# scales the cosine of the whole run); docs/reference_fidelity.md.
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW',
        lr=5e-4,
        weight_decay=0.05,
        eps=1e-8,
        betas=(0.9, 0.999)),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            '.absolute_pos_embed': dict(decay_mult=0.0),
            '.relative_position_bias_table': dict(decay_mult=0.0),
        }),
    clip_grad=dict(max_norm=10.0),
)

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-5,
        by_epoch=True,
        begin=0,
        end=20,
        convert_to_iter_based=True),
    dict(
        type='GroupCosineAnnealingLR',
        eta_min=1e-4,
        by_epoch=True,
        begin=20,
        end=200,
        T_max=180,
        convert_to_iter_based=True),
]

train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# LR for 2 GPUs x 25 images per step (auto_scale_lr reads the per-step batch);
# the learned mixers' recipes accumulate 2 steps, the references' batch 100.
auto_scale_lr = dict(base_batch_size=50)
