# comixup baseline, the sibling of ../mixup/mixup_resnet18_1xb16-200e_aircraft.py
# (mixup_resnet18_1xb16-200e_aircraft.py header: ResNet-18, FGVC-Aircraft, 200 epochs from
# ImageNet weights, batch 16)
# Co-Mixup (Kim et al., ICLR'21) with the official CIFAR-100 command's
# settings (snu-mllab/Co-Mixup README: --m_part 20 --m_block_num 4
# --mixup_alpha 2.0 --clean_lam 1.0 --m_beta 0.32 --m_gamma 1.0 --m_thres 0.83
# --m_eta 0.05 --m_omega 0.001, 4 outer iterations, set_resolve): train-mode
# saliency, clean loss kept. SaliencyMixClassifier: one clean saliency pass per
# step, mixed soft labels. Needs gco-wrapper.
# alpha 2.0: not in the published table for this dataset: the official default
# (as on CIFAR-100, Tiny-ImageNet and ImageNet R50 in OpenMixup's tables).
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/datasets/fgvc_aircraft.py',
    '../../_base_/schedules/finegrained_sgd_cosine_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        # ImageNet initialisation of the reference's fine-grained runs
        # (torchvision's weights, `pretrained='tools/resnet18-pytorch.pth'`
        # in its logs). Nothing is read while the config is built; the
        # weights are loaded by init_weights() when training starts, from
        # torchvision's URL into the torch hub cache. Offline, download
        # https://download.pytorch.org/models/resnet18-f37072fd.pth and set
        # checkpoint='path/to/resnet18-f37072fd.pth'.
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18'),
    ),
    head=dict(
        num_classes=100,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    type='SaliencyMixClassifier',
    mixer=dict(type='CoMixup', alpha=2.0, m_part=20, m_block_num=4,
               beta=0.32, gamma=1.0, thres=0.83, eta=0.05, omega=0.001,
               niter=4, set_resolve=True, clean_lam=1.0),
)
