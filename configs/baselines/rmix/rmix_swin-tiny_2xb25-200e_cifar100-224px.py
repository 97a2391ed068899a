# R-Mix: Swin-T, CIFAR-100 at 224 px, 200 epochs, 2 GPUs x 25.
_base_ = [
    '../../_base_/models/swin-t_224.py',
    '../../_base_/models/rmix.py',
    '../../_base_/datasets/cifar100-224_randaugment.py',
    '../../_base_/schedules/adamw_cosine_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    _base_.rmix,
    head=dict(cal_acc=False),
    mixer=dict(_base_.rmix.mixer, patch_sizes=(56, 112)))

# effective batch 100 (2 x 25 x 2 accumulated steps), as OpenMixup's
# configs/classification/cifar100/mixups/vits/swin_t_mixups_sz224_bs100.py
optim_wrapper = dict(accumulative_counts=2)
