# comixup baseline, the sibling of ../mixup/mixup_resnet18_1xb100-800e_cifar100.py
# (mixup_resnet18_1xb100-800e_cifar100.py header: ResNet-18 (CIFAR variant), CIFAR-100, 800
# epochs, batch 100 on one GPU)
# Co-Mixup (Kim et al., ICLR'21) with the official CIFAR-100 command's
# settings (snu-mllab/Co-Mixup README: --m_part 20 --m_block_num 4
# --mixup_alpha 2.0 --clean_lam 1.0 --m_beta 0.32 --m_gamma 1.0 --m_thres 0.83
# --m_eta 0.05 --m_omega 0.001, 4 outer iterations, set_resolve): train-mode
# saliency, clean loss kept. SaliencyMixClassifier: one clean saliency pass per
# step, mixed soft labels. Needs gco-wrapper.
# alpha 2.0: OpenMixup's CIFAR-100 benchmark
# (docs/en/mixup_benchmarks/Mixup_cifar.md).
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/datasets/cifar100.py',
    '../../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    type='SaliencyMixClassifier',
    mixer=dict(type='CoMixup', alpha=2.0, m_part=20, m_block_num=4,
               beta=0.32, gamma=1.0, thres=0.83, eta=0.05, omega=0.001,
               niter=4, set_resolve=True, clean_lam=1.0),
)

# The vanilla/mixup baselines of the reference tables anneal the LR to 0
# (OpenMixup cifar100/mixups/basic/r18_mixups_CE_none.py `min_lr=0.`),
# not to the learned-mixup floor of 0.05 of the shared schedule.
param_scheduler = dict(eta_min=0.0)
