# comixup baseline, the sibling of ../mixup/mixup_resnet18_1xb100-400e_tinyimagenet.py
# (mixup_resnet18_1xb100-400e_tinyimagenet.py header: ResNet-18 (CIFAR variant, as the
# reference, at 64 px), Tiny-ImageNet, 400 epochs, batch 100 on one GPU)
# Co-Mixup (Kim et al., ICLR'21) with the official CIFAR-100 command's
# settings (snu-mllab/Co-Mixup README: --m_part 20 --m_block_num 4
# --mixup_alpha 2.0 --clean_lam 1.0 --m_beta 0.32 --m_gamma 1.0 --m_thres 0.83
# --m_eta 0.05 --m_omega 0.001, 4 outer iterations, set_resolve): train-mode
# saliency, clean loss kept. SaliencyMixClassifier: one clean saliency pass per
# step, mixed soft labels. Needs gco-wrapper.
# alpha 2.0: OpenMixup's Tiny-ImageNet benchmark
# (docs/en/mixup_benchmarks/Mixup_imagenet.md).
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/datasets/tiny_imagenet.py',
    '../../_base_/schedules/tiny_sgd_cosine_400e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        num_classes=200,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    type='SaliencyMixClassifier',
    mixer=dict(type='CoMixup', alpha=2.0, m_part=20, m_block_num=4,
               beta=0.32, gamma=1.0, thres=0.83, eta=0.05, omega=0.001,
               niter=4, set_resolve=True, clean_lam=1.0),
)
