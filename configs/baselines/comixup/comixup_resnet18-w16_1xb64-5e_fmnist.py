# comixup baseline, the sibling of ../mixup/mixup_resnet18-w16_1xb64-5e_fmnist.py
# (mixup_resnet18-w16_1xb64-5e_fmnist.py header: ResNet-18 w16 on the full Fashion-MNIST (run
# tools/prepare_fashion_mnist.py first))
# Co-Mixup (Kim et al., ICLR'21) with the official CIFAR-100 command's
# settings (snu-mllab/Co-Mixup README: --m_part 20 --m_block_num 4
# --mixup_alpha 2.0 --clean_lam 1.0 --m_beta 0.32 --m_gamma 1.0 --m_thres 0.83
# --m_eta 0.05 --m_omega 0.001, 4 outer iterations, set_resolve): train-mode
# saliency, clean loss kept. SaliencyMixClassifier: one clean saliency pass per
# step, mixed soft labels. Needs gco-wrapper.
# alpha 2.0: no published value for Fashion-MNIST: the CIFAR-100 value of
# OpenMixup's benchmark, as the Mixup sibling.
_base_ = [
    '../../_base_/models/resnet18_w16_fmnist.py',
    '../../_base_/datasets/fashion_mnist.py',
    '../../_base_/schedules/fmnist_sgd_demo.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False),
    type='SaliencyMixClassifier',
    mixer=dict(type='CoMixup', alpha=2.0, m_part=20, m_block_num=4,
               beta=0.32, gamma=1.0, thres=0.83, eta=0.05, omega=0.001,
               niter=4, set_resolve=True, clean_lam=1.0),
)

default_hooks = dict(logger=dict(interval=100))
