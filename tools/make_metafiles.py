"""Write ``metafile.yml`` and ``README.md`` for every method folder under
``configs/`` and the package's ``model-index.yml`` (OpenMMLab model-index
format, what ``mim search adautomix_mm`` reads from the installed
``adautomix_mm/.mim/model-index.yml``).

    python tools/make_metafiles.py          # (re)write the files
    python tools/make_metafiles.py --check  # exit 1 if any is out of date

Every recipe is listed from its file name, which follows MMPretrain's
``{algorithm}_{backbone}_{N}xb{B}[-tricks]-{E}e_{dataset}.py`` convention.
Paper, official code and BibTeX per method are in ``METHODS`` below; the
reference numbers are the published ones (source and protocol stated);
``MEASURED`` holds the only numbers this package measured itself (the
Fashion-MNIST benchmark in benchmarks/results/accuracy_fashion_mnist_6k6e/).
A new method folder needs a ``METHODS`` entry: the script stops and says so.
"""
import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / 'configs'
NAME = re.compile(r'^(?P<alg>[^_]+)_(?P<backbone>[^_]+)_(?P<gpus>\d+)xb'
                  r'(?P<batch>\d+)(?P<tricks>(-[^_]+)*?)-(?P<epochs>\d+)e_'
                  r'(?P<dataset>[^_]+)$')

BACKBONES = {
    'resnet18': 'ResNet-18', 'resnet34': 'ResNet-34', 'resnet50': 'ResNet-50',
    'resnet18-w16': 'ResNet-18 (width 16)',
    'resnext50-32x4d': 'ResNeXt-50 (32x4d)', 'swin-tiny': 'Swin-T',
    'convnext-tiny': 'ConvNeXt-T',
}
DATASETS = {
    'cifar100': 'CIFAR-100', 'cifar100-224px': 'CIFAR-100',
    'tinyimagenet': 'Tiny-ImageNet', 'in1k': 'ImageNet-1k',
    'cub': 'CUB-200-2011', 'aircraft': 'FGVC-Aircraft',
    'stanfordcars': 'Stanford Cars', 'fmnist': 'Fashion-MNIST',
    'fmnist-embedded': 'Fashion-MNIST (embedded 4k/1k subset)',
}

A_SRC = ('JinXins/Adversarial-AutoMixup README.md and Experiments.md '
         '(the AdAutoMix paper\'s tables)')
O_SRC = ('Westlake-AI/openmixup docs/en/mixup_benchmarks/Mixup_cifar.md '
         'and Mixup_imagenet.md')
# Columns of the published tables: (backbone, dataset) -> protocol.
PROTOCOLS = {
    ('resnet18', 'cifar100'): 'CIFAR-100, 800 epochs, batch 100, median top-1 of the last 10 epochs',
    ('resnext50-32x4d', 'cifar100'): 'CIFAR-100, 800 epochs, batch 100, median top-1 of the last 10 epochs',
    ('swin-tiny', 'cifar100-224px'): 'CIFAR-100 at 224 px, 200 epochs, best epoch',
    ('convnext-tiny', 'cifar100'): 'CIFAR-100, 200 epochs, best epoch',
    ('resnet18', 'tinyimagenet'): 'Tiny-ImageNet, 400 epochs',
    ('resnet18', 'in1k'): 'ImageNet-1k, 100 epochs, PyTorch-style recipe',
    ('resnet34', 'in1k'): 'ImageNet-1k, 100 epochs, PyTorch-style recipe',
    ('resnet50', 'in1k'): 'ImageNet-1k, 100 epochs, PyTorch-style recipe',
    ('resnet18', 'cub'): 'CUB-200, 200 epochs from ImageNet weights',
    ('resnet50', 'cub'): 'CUB-200, 200 epochs from ImageNet weights',
    ('resnet18', 'aircraft'): 'FGVC-Aircraft, 200 epochs from ImageNet weights',
    ('resnext50-32x4d', 'aircraft'): 'FGVC-Aircraft, 200 epochs from ImageNet weights',
    ('resnet18', 'stanfordcars'): 'Stanford Cars, 200 epochs from ImageNet weights',
    ('resnext50-32x4d', 'stanfordcars'): 'Stanford Cars, 200 epochs from ImageNet weights',
}
_COLS = list(PROTOCOLS)


def _row(*values):
    """Published top-1 per column of PROTOCOLS (None: not published)."""
    return {c: v for c, v in zip(_COLS, values) if v is not None}


# top-1 (%) in the order of PROTOCOLS' columns
_A_TABLE = {
    'vanilla': _row(78.04, 81.09, 78.41, 78.70, 61.68, 70.04, 73.85, 76.83, 77.68, 82.38, 80.23, 85.10, 86.32, 90.15),
    'mixup': _row(79.12, 82.10, 76.78, 81.13, 63.86, 69.98, 73.97, 77.12, 78.39, 82.98, 79.52, 85.18, 86.27, 90.81),
    'cutmix': _row(78.17, 78.32, 80.64, 82.46, 65.53, 68.95, 73.58, 77.17, 78.40, 83.17, 78.84, 84.55, 87.48, 91.22),
    'saliencymix': _row(79.12, 78.77, 80.40, 82.82),
    'fmix': _row(79.69, 79.02, 80.72, 81.79),
    'resizemix': _row(80.01, 80.35, 80.16, 82.53),
    'puzzlemix': _row(81.13, 82.85, 80.33, 82.29, 65.81, 70.12, 74.26, 77.54, 78.63, 83.83, 80.76, 86.23, 87.78, 91.29),
    'automix': _row(82.04, 83.64, 82.67, 83.30, 67.33, 70.50, 74.52, 77.91, 79.87, 83.88, 81.37, 86.72, 88.89, 91.38),
    'samix': _row(82.30, 84.42, 82.70, 83.56, 68.89, 70.83, 74.95, 78.06, 81.11, 84.10, 82.15, 86.80, 89.14, 90.46),
    'adautomix': _row(82.32, 84.22, 84.33, 83.54, 69.19, 70.86, 74.82, 78.04, 80.88, 84.57, 81.73, 87.16, 89.19, 91.59),
}
# OpenMixup's ResNet-18 benchmark (same CIFAR-100 / Tiny-ImageNet protocol)
# for the methods the AdAutoMix tables leave out.
_O_TABLE = {
    'gridmix': _row(78.72, None, None, None, 65.14),
    'comixup': _row(81.17, None, None, None, 65.92),
    'manifoldmix': _row(80.35, None, None, None, 64.15),
}

MMPRETRAIN = 'https://github.com/open-mmlab/mmpretrain'
OPENMIXUP = 'https://github.com/Westlake-AI/openmixup'
METHODS = {
    'adautomix': dict(
        name='AdAutoMix', title='Adversarial AutoMixup',
        venue='ICLR 2024', paper='https://arxiv.org/abs/2312.11954',
        code='https://github.com/JinXins/Adversarial-AutoMixup',
        techniques=['AdAutoMix', 'EMA teacher', 'AttentionMixBlock'],
        network='the best evaluated head as reported, usually the EMA teacher\'s one-hot head',
        bibtex="""@inproceedings{qin2024adversarial,
  title     = {Adversarial AutoMixup},
  author    = {Qin, Huafeng and Jin, Xin and Jiang, Yun and El-Yacoubi, Mounim A. and Gao, Xinbo},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year      = {2024}
}"""),
    'automix': dict(
        name='AutoMix',
        title='AutoMix: Unveiling the Power of Mixup for Stronger Classifiers',
        venue='ECCV 2022', paper='https://arxiv.org/abs/2103.13027',
        code=OPENMIXUP,
        techniques=['AutoMix', 'EMA teacher', 'PixelMixBlock'],
        network='as reported by the source (momentum-network evaluation not stated per number)',
        bibtex="""@inproceedings{liu2022automix,
  title     = {AutoMix: Unveiling the Power of Mixup for Stronger Classifiers},
  author    = {Liu, Zicheng and Li, Siyuan and Wu, Di and Liu, Zihan and Chen, Zhiyuan and Wu, Lirong and Li, Stan Z.},
  booktitle = {European Conference on Computer Vision (ECCV)},
  year      = {2022}
}"""),
    'samix': dict(
        name='SAMix',
        title='Boosting Discriminative Visual Representation Learning with '
              'Scenario-Agnostic Mixup',
        venue='arXiv 2111.15454', paper='https://arxiv.org/abs/2111.15454',
        code=OPENMIXUP,
        techniques=['SAMix', 'EMA teacher', 'PixelMixBlock'],
        network='as reported by the source (not stated per number)',
        bibtex="""@article{li2021samix,
  title   = {Boosting Discriminative Visual Representation Learning with Scenario-Agnostic Mixup},
  author  = {Li, Siyuan and Liu, Zicheng and Wang, Zedong and Wu, Di and Liu, Zihan and Li, Stan Z.},
  journal = {arXiv preprint arXiv:2111.15454},
  year    = {2021}
}"""),
    'baselines/vanilla': dict(
        name='Vanilla', title='No mixing (plain supervised training)',
        venue='-', paper=None, code=MMPRETRAIN,
        techniques=['No mixing'], network='single network', bibtex=None),
    'baselines/mixup': dict(
        name='Mixup', title='mixup: Beyond Empirical Risk Minimization',
        venue='ICLR 2018', paper='https://arxiv.org/abs/1710.09412',
        code='https://github.com/facebookresearch/mixup-cifar10',
        techniques=['Mixup (MMPretrain batch augment)'],
        network='single network',
        bibtex="""@inproceedings{zhang2018mixup,
  title     = {mixup: Beyond Empirical Risk Minimization},
  author    = {Zhang, Hongyi and Cisse, Moustapha and Dauphin, Yann N. and Lopez-Paz, David},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year      = {2018}
}"""),
    'baselines/manifoldmix': dict(
        name='ManifoldMix',
        title='Manifold Mixup: Better Representations by Interpolating Hidden States',
        venue='ICML 2019', paper='https://arxiv.org/abs/1806.05236',
        code='https://github.com/vikasverma1077/manifold_mixup',
        techniques=['ManifoldMixClassifier (hidden-state mixup)'],
        network='single network',
        bibtex="""@inproceedings{verma2019manifold,
  title     = {Manifold Mixup: Better Representations by Interpolating Hidden States},
  author    = {Verma, Vikas and Lamb, Alex and Beckham, Christopher and Najafi, Amir and Mitliagkas, Ioannis and Courville, Aaron and Lopez-Paz, David and Bengio, Yoshua},
  booktitle = {International Conference on Machine Learning (ICML)},
  pages     = {6438--6447},
  year      = {2019}
}"""),
    'baselines/cutmix': dict(
        name='CutMix',
        title='CutMix: Regularization Strategy to Train Strong Classifiers '
              'with Localizable Features',
        venue='ICCV 2019', paper='https://arxiv.org/abs/1905.04899',
        code='https://github.com/clovaai/CutMix-PyTorch',
        techniques=['CutMix (MMPretrain batch augment)'],
        network='single network',
        bibtex="""@inproceedings{yun2019cutmix,
  title     = {CutMix: Regularization Strategy to Train Strong Classifiers with Localizable Features},
  author    = {Yun, Sangdoo and Han, Dongyoon and Oh, Seong Joon and Chun, Sanghyuk and Choe, Junsuk and Yoo, Youngjoon},
  booktitle = {IEEE/CVF International Conference on Computer Vision (ICCV)},
  year      = {2019}
}"""),
    'baselines/resizemix': dict(
        name='ResizeMix',
        title='ResizeMix: Mixing Data with Preserved Object Information and '
              'True Labels',
        venue='arXiv 2012.11101', paper='https://arxiv.org/abs/2012.11101',
        code=OPENMIXUP + ' (no code published by the authors; OpenMixup\'s resizemix.py)',
        techniques=['ResizeMix (PaperResizeMix batch augment)'],
        network='single network',
        bibtex="""@article{qin2020resizemix,
  title   = {ResizeMix: Mixing Data with Preserved Object Information and True Labels},
  author  = {Qin, Jie and Fang, Jiemin and Zhang, Qian and Liu, Wenyu and Wang, Xingang and Wang, Xinggang},
  journal = {arXiv preprint arXiv:2012.11101},
  year    = {2020}
}"""),
    'baselines/fmix': dict(
        name='FMix', title='FMix: Enhancing Mixed Sample Data Augmentation',
        venue='arXiv 2002.12047', paper='https://arxiv.org/abs/2002.12047',
        code='https://github.com/ecs-vlc/FMix',
        techniques=['FMix (batch augment)'], network='single network',
        bibtex="""@article{harris2020fmix,
  title   = {FMix: Enhancing Mixed Sample Data Augmentation},
  author  = {Harris, Ethan and Marcu, Antonia and Painter, Matthew and Niranjan, Mahesan and Pr{\\"u}gel-Bennett, Adam and Hare, Jonathon},
  journal = {arXiv preprint arXiv:2002.12047},
  year    = {2020}
}"""),
    'baselines/saliencymix': dict(
        name='SaliencyMix',
        title='SaliencyMix: A Saliency Guided Data Augmentation Strategy for '
              'Better Regularization',
        venue='ICLR 2021', paper='https://arxiv.org/abs/2006.01791',
        code='https://github.com/afm-shahab-uddin/SaliencyMix',
        techniques=['SaliencyMix (batch augment)'], network='single network',
        bibtex="""@inproceedings{uddin2021saliencymix,
  title     = {SaliencyMix: A Saliency Guided Data Augmentation Strategy for Better Regularization},
  author    = {Uddin, A. F. M. Shahab and Monira, Mst. Sirazam and Shin, Wheemyung and Chung, TaeChoong and Bae, Sung-Ho},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year      = {2021}
}"""),
    'baselines/gridmix': dict(
        name='GridMix',
        title='GridMix: Strong regularization through local context mapping',
        venue='Pattern Recognition 2021',
        paper='https://doi.org/10.1016/j.patcog.2020.107594',
        code=OPENMIXUP + ' (no code published by the authors; OpenMixup\'s GridMix)',
        techniques=['GridMix (batch augment)'], network='single network',
        bibtex="""@article{baek2021gridmix,
  title   = {GridMix: Strong regularization through local context mapping},
  author  = {Baek, Kyungjune and Bang, Duhyeon and Shim, Hyunjung},
  journal = {Pattern Recognition},
  volume  = {109},
  pages   = {107594},
  year    = {2021}
}"""),
    'baselines/puzzlemix': dict(
        name='PuzzleMix',
        title='Puzzle Mix: Exploiting Saliency and Local Statistics for '
              'Optimal Mixup',
        venue='ICML 2020', paper='https://arxiv.org/abs/2009.06962',
        code='https://github.com/snu-mllab/PuzzleMix',
        techniques=['PuzzleMix', 'SaliencyMixClassifier'],
        network='single network',
        bibtex="""@inproceedings{kim2020puzzlemix,
  title     = {Puzzle Mix: Exploiting Saliency and Local Statistics for Optimal Mixup},
  author    = {Kim, Jang-Hyun and Choo, Wonho and Song, Hyun Oh},
  booktitle = {International Conference on Machine Learning (ICML)},
  year      = {2020}
}"""),
    'baselines/comixup': dict(
        name='Co-Mixup',
        title='Co-Mixup: Saliency Guided Joint Mixup with Supermodular '
              'Diversity',
        venue='ICLR 2021', paper='https://arxiv.org/abs/2102.03065',
        code='https://github.com/snu-mllab/Co-Mixup',
        techniques=['Co-Mixup', 'SaliencyMixClassifier'],
        network='single network',
        bibtex="""@inproceedings{kim2021comixup,
  title     = {Co-Mixup: Saliency Guided Joint Mixup with Supermodular Diversity},
  author    = {Kim, Jang-Hyun and Choo, Wonho and Jeong, Hosan and Song, Hyun Oh},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year      = {2021}
}"""),
    'baselines/rmix': dict(
        name='R-Mix',
        title='Expeditious Saliency-guided Mix-up through Random Gradient '
              'Thresholding',
        venue='arXiv 2212.04875', paper='https://arxiv.org/abs/2212.04875',
        code='https://github.com/minhlong94/Random-Mixup',
        techniques=['R-Mix', 'SaliencyMixClassifier'],
        network='single network',
        note=('No published number under the protocols above (OpenMixup\'s '
              'tables do not list R-Mix; the official README reports '
              'CIFAR-100 with a PreActResNet-18 and another schedule, not '
              'comparable).'),
        bibtex="""@article{luu2022rmix,
  title   = {Expeditious Saliency-guided Mix-up through Random Gradient Thresholding},
  author  = {Luu, Minh-Long and Huang, Zeyi and Xing, Eric P. and Lee, Yong Jae and Wang, Haohan},
  journal = {arXiv preprint arXiv:2212.04875},
  year    = {2022}
}"""),
}

# The only accuracies this package measured: benchmarks/results/
# accuracy_fashion_mnist_6k6e/README.md (top-1 % at the final epoch, mean ±
# sample std over seeds 0, 1, 2).
MEASURED_PROTOCOL = (
    'measured by this package (dataset "Fashion-MNIST-6k6e"): '
    'benchmarks/results/accuracy_fashion_mnist_6k6e/'
    ': the config run with the benchmark\'s overrides (first 6,000 '
    'training images, 6 epochs, first 5,000 test images), top-1 at the '
    'final epoch, mean over seeds 0-2 (± sample std in the README there)')
MEASURED = {
    'adautomix_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (EMA teacher)': (80.56, 1.16),
        'Top 1 Accuracy (online network)': (79.04, 1.27)},
    'automix_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (EMA teacher)': (81.61, 0.65),
        'Top 1 Accuracy (online network)': (82.00, 0.57)},
    'cutmix_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (single network)': (79.09, 0.46)},
    'mixup_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (single network)': (77.76, 0.33)},
    'vanilla_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (single network)': (81.29, 0.72)},
    'fmix_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (single network)': (80.67, 0.63)},
    'puzzlemix_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (single network)': (78.79, 0.66)},
    'saliencymix_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (single network)': (78.84, 0.52)},
    'gridmix_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (single network)': (77.49, 0.80)},
    'rmix_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (single network)': (77.07, 0.59)},
    'comixup_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (single network)': (77.25, 0.41)},
    'resizemix_resnet18-w16_1xb64-5e_fmnist': {
        'Top 1 Accuracy (single network)': (77.81, 0.29)},
}
MEASURED_DATASET = 'FMNIST-6k6e'
# The demo's own numbers (README.md, "The demo": `make demo` in a fresh clone
# of the release, unseeded, final epoch of 5 on the embedded subset).
DEMO_PROTOCOL = (
    'measured by this package (dataset "FMNIST-demo"): README.md, '
    'section "The demo": make demo in a fresh clone, 5 epochs on the '
    'embedded 4,000/1,000-image subset, top-1 at the final epoch, one '
    'unseeded run')
DEMO = {
    'adautomix_resnet18-w16_1xb64-5e_fmnist-embedded': {
        'Top 1 (EMA)': 74.2, 'Top 1 (online)': 73.0},
    'vanilla_resnet18-w16_1xb64-5e_fmnist-embedded': {'Top 1 (single)': 79.5},
}
DEMO_DATASET = 'FMNIST-demo'
# Metric names short enough that `mim search` keeps ~50 characters of every
# value at its default width (it pads every key to the longest one).
SHORT_METRIC = {'Top 1 Accuracy (EMA teacher)': 'Top 1 (EMA)',
                'Top 1 Accuracy (online network)': 'Top 1 (online)',
                'Top 1 Accuracy (single network)': 'Top 1 (single)'}

# Where each recipe's values come from (the recipes' headers are two lines;
# the per-value citations stay in the bases and recipes as one-line comments).
PROVENANCE = {
    'adautomix': [
        'CIFAR-100 R18 / RX50: JinXins/Adversarial-AutoMixup configs/classification/cifar100/basic/r18_adautomix_bilinear.py, rx50_adautomix.py and the logs experiments/CIFAR100/adautomix_{r18,rx50}_800e.log (the config says 400 epochs, the logs and the reported numbers 800: 800 used).',
        'Tiny-ImageNet: its tiny_imagenet r18_adautomix_blinear.py (beta 0.4, Mix Block lr 0.1) and experiments/Tiny-ImageNet/adautomix_r18_400e.log.',
        'ImageNet R18/R34/R50: configs/classification/imagenet/adautomix/basic/r18_adautomix_bilinear.py (N = 2, beta 0.1, lambda channel, Mix Block cosine to 1e-3); R50 adds BN on q/k per set.',
        'CUB / Aircraft: configs/classification/{cub200,aircrafts}/adautomix/basic/*_adautomix_bilinear.py (Mix Block lr 0.1 to 1e-3). Their values are used where the logs in experiments/ disagree (the logs come from an earlier class, "Adaptivemix", with other arguments: CUB R18 lam_margin 0.0, Aircraft R18/RX50 co_mix 2, Aircraft RX50 mixup_radio 0.0). Stanford Cars has no released config: the CUB/Aircraft R18 values.',
        'Swin-T / ConvNeXt-T on CIFAR-100: cifar100/vit/swin_t_adautomix_nearest.py and experiments/CIFAR100/adautomix_{swin,convnext}_200e.log; Swin-T accumulates 2 steps of 2 x 25 (the log: update_interval 2), the reference batch 100.',
        'Fashion-MNIST: this package\'s demo scale (EMA 0.9 -> 0.99 over 5 epochs); no reference run.',
    ],
    'automix': [
        'Model blocks: Westlake-AI/openmixup configs/classification/cifar100/automix/basic/r18_l2_a2_near_L1_01_mlr5e_2.py (CIFAR, Tiny), imagenet/automix/basic/r50_l2_a2_near_lam_cat_mb_mlr1e_3_bb_mlr0.py (ImageNet), {cub200,aircrafts}/automix/{r18,rx50}_l2_a2_near_lam_cat_mb_mlr5e_4_1xb16_ep200.py (fine-grained: Mix Block lr 10 x, floor 5e-4, partners without self-pairs), cifar100/automix/vits/{swin_t_l3,convnext_t_l2}_a2_near_*_ep200.py (ViTs: switch_off 1.0, mask_layer 3 for Swin-T, batch 100).',
        'Data, schedule and network: those of the AdAutoMix recipe of the same setting.',
        'mask_adjust_ratio=\'classifier\' is this package\'s named fix (docs/automix_samix.md); it acts only where mask_adjust > 0.',
    ],
    'samix': [
        'Westlake-AI/openmixup configs/classification/cifar100/samix/basic/r18/unsampling_modebilinear/r18_l2_a2_bili_val_dp0_mul_x_cat_L1_var_01_mlr5e_2_lam_mul_k0_25_mask_adjust0_25_ep800.py (R18, 800 epochs, mask_adjust 0.25) and rx50_l2_a2_bili_val_dp0_mul_x_cat_L1_var_01_mlr5e_2.py (RX50, value width 512).',
        'The value neck is OpenMixup\'s ConvNeck with its defaults (BN + ELU, no bias in any conv); head_mix_k\'s soft CE with neg_weight 0.5 computes the plain mixup CE (generator_loss=\'mixup_ce\').',
    ],
    'baselines/vanilla': ['Data, schedule and network of the AdAutoMix recipe of the same setting; the CIFAR recipes anneal to 0 (OpenMixup cifar100/mixups/basic/r18_mixups_CE_none.py `min_lr=0.`).'],
    'baselines/mixup': ['alpha: the AdAutoMix paper\'s tables (1.0 for CIFAR / Tiny CNNs, 0.2 for ImageNet and fine-grained, 0.8 for ViTs).'],
    'baselines/cutmix': ['alpha: the AdAutoMix paper\'s tables ("CutMix (0.2 / 2)": 0.2 for CIFAR CNNs, 2 for ViTs; 1.0 for Tiny, fine-grained and ImageNet R34/R50, 0.2 for ImageNet R18); RX50 on CIFAR uses weight decay 5e-4 as OpenMixup\'s cutting mixups.'],
    'baselines/fmix': ['alpha: OpenMixup\'s benchmarks (docs/en/mixup_benchmarks/Mixup_cifar.md, Mixup_imagenet.md: 0.2 for CIFAR, fine-grained and ImageNet R18, 1.0 for Tiny and ImageNet R34/R50); ViTs take the CIFAR ResNet value.'],
    'baselines/gridmix': ['alpha 0.2: OpenMixup\'s benchmarks (Mixup_cifar.md, Mixup_imagenet.md).'],
    'baselines/resizemix': ['alpha: OpenMixup\'s benchmarks (1.0; 0.2 for ImageNet R18).'],
    'baselines/saliencymix': ['alpha: OpenMixup\'s benchmarks (0.2 for CIFAR, fine-grained and ImageNet R18, 1.0 for Tiny and ImageNet R34/R50; ViTs take the CIFAR ResNet value).'],
    'baselines/puzzlemix': ['snu-mllab/PuzzleMix README (CIFAR-100 command: --n_labels 3 --eta 0.2 --beta 1.2 --gamma 0.5 --neigh_size 4 --transport True --t_size 4 --t_eps 0.8); 224-px recipes: neigh_size 7 and transport at the cut grid; Tiny-ImageNet: clean_lam 1 as its Tiny command.'],
    'baselines/comixup': ['snu-mllab/Co-Mixup README (CIFAR-100 command: --m_part 20 --m_block_num 4 --mixup_alpha 2.0 --clean_lam 1.0 --m_beta 0.32 --m_gamma 1.0 --m_thres 0.83 --m_eta 0.05 --m_omega 0.001, m_niter 4, set_resolve) for every recipe.'],
    'baselines/rmix': ['minhlong94/Random-Mixup: the CIFAR code (mixup.py, environment.py: Dirichlet 1.0, a random permutation, clean loss dropped) for the CIFAR, Tiny, Fashion-MNIST, fine-grained and Swin-T / ConvNeXt-T recipes, whose data are not ImageNet; the ImageNet code (imagenet/lib/rl_mix.py, main_fast_ddp.py: Dirichlet 0.2, partners by flipping the batch, the clean CE kept with weight 1) for the ImageNet recipes. Patch sizes keep the 4x4 / 2x2 grids at every image size.'],
    'baselines/manifoldmix': ['alpha: OpenMixup\'s benchmarks (2.0 CIFAR, 0.2 Tiny / ImageNet, 0.5 fine-grained: Mixup_downstream.md); mixed at a layer drawn from {input, stage 1, stage 2} (OpenMixup `layer=(0, 3)`).'],
}


def method_folders():
    return sorted({p.parent.relative_to(CONFIGS).as_posix().split(
        '/variants')[0] for p in CONFIGS.rglob('*.py')
        if '_base_' not in p.relative_to(CONFIGS).parts})


def recipes(folder):
    out = []
    for path in sorted((CONFIGS / folder).rglob('*.py')):
        m = NAME.match(path.stem)
        if m is None:
            raise SystemExit(f'{path}: name does not follow {{algorithm}}_'
                             '{backbone}_{N}xb{B}-{E}e_{dataset}.py')
        out.append((path, m.groupdict()))
    return out


def reference_rows(key):
    table = _A_TABLE.get(key) or _O_TABLE.get(key) or {}
    source = A_SRC if key in _A_TABLE else O_SRC
    return table, source


def metafile(folder, info):
    key = folder.split('/')[-1]
    collection = dict(
        Name=info['name'],
        Metadata={'Training Techniques': info['techniques']},
        README=f'configs/{folder}/README.md',
        Code=dict(URL=info['code']),
    )
    if info['paper']:  # mim prints a dict's keys ("Title,URL") otherwise
        collection['Paper'] = dict(Title=info['title'], URL=info['paper'])
    models = []
    table, _ = reference_rows(key)
    for path, p in recipes(folder):
        gpus, batch = int(p['gpus']), int(p['batch'])
        meta = {
            'Training Data': DATASETS.get(p['dataset'], p['dataset']),
            'Epochs': int(p['epochs']),
            'Batch Size': gpus * batch,
            'Training Resources': (
                'CPU or 1x GPU (demo recipe)' if 'fmnist' in p['dataset']
                else f'{gpus}x GPU (reference recipe)'),
            'Architecture': [BACKBONES.get(p['backbone'], p['backbone'])],
            'Method': info['name'],
            'Official Code': info['code'],
        }
        model = {'Name': path.stem, 'In Collection': info['name'],
                 'Metadata': meta}
        if info['paper']:
            model['Paper'] = info['paper']
        ref = table.get((p['backbone'], p['dataset']))
        if ref is not None and not p['tricks']:
            model['Published Top 1 Accuracy'] = (
                f"{ref} ({PROTOCOLS[(p['backbone'], p['dataset'])]}; "
                f"{info['network']}; not measured by this package)")
        measured = MEASURED.get(path.stem)
        if measured:
            model['Results'] = [dict(
                Task='Image Classification', Dataset=MEASURED_DATASET,
                Metrics={SHORT_METRIC[k]: v[0]
                         for k, v in measured.items()})]
            model['Results Note'] = MEASURED_PROTOCOL
        elif path.stem in DEMO:
            model['Results'] = [dict(
                Task='Image Classification', Dataset=DEMO_DATASET,
                Metrics=DEMO[path.stem])]
            model['Results Note'] = DEMO_PROTOCOL
        model['Config'] = path.relative_to(ROOT).as_posix()
        models.append(model)
    return dict(Collections=[collection], Models=models)


def readme(folder, info):
    key = folder.split('/')[-1]
    lines = [f"# {info['name']}", '']
    if info['paper']:
        lines += [f"> [{info['title']}]({info['paper']}) ({info['venue']})",
                  '']
    else:
        lines += [f"> {info['title']}", '']
    lines += [f"Official code: {info['code']}", '', '## Recipes', '',
              '| config | backbone | dataset | GPUs x batch | epochs |',
              '|---|---|---|---|---|']
    for path, p in recipes(folder):
        rel = path.relative_to(CONFIGS / folder).as_posix()
        lines.append(
            f"| [{path.stem}](./{rel}) | "
            f"{BACKBONES.get(p['backbone'], p['backbone'])} | "
            f"{DATASETS.get(p['dataset'], p['dataset'])} | "
            f"{p['gpus']} x {p['batch']} | {p['epochs']} |")
    if PROVENANCE.get(folder):
        lines += ['', '## Where the values come from', '']
        lines += [f'* {line}' for line in PROVENANCE[folder]]
    lines += ['', '## Published numbers (not measured by this package)', '']
    table, source = reference_rows(key)
    if table:
        lines += [f"Top-1 (%), source: {source}; network: {info['network']}.",
                  '', '| backbone | protocol | top-1 |', '|---|---|---|']
        for col, value in table.items():
            lines.append(f'| {BACKBONES[col[0]]} | {PROTOCOLS[col]} | '
                         f'{value:.2f} |')
    else:
        lines.append(info.get('note', 'None under the protocols of these '
                                      'recipes.'))
    lines += ['', '## Measured by this package', '']
    rows = [(path.stem, MEASURED[path.stem]) for path, _ in recipes(folder)
            if path.stem in MEASURED]
    if rows:
        lines += [MEASURED_PROTOCOL[0].upper() + MEASURED_PROTOCOL[1:] + '.',
                  '', '| config | metric | top-1 |', '|---|---|---|']
        for stem, metrics in rows:
            for name, (mean, std) in metrics.items():
                lines.append(f'| {stem} | {name} | {mean:.2f} ± {std:.2f} |')
    else:
        lines.append('Nothing yet.')
    if info['bibtex']:
        lines += ['', '## Citation', '', '```bibtex', info['bibtex'], '```']
    return '\n'.join(lines) + '\n'


def dump_yaml(data):
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                          width=1000)


def outputs():
    files = {}
    imports = []
    for folder in method_folders():
        if folder not in METHODS:
            raise SystemExit(
                f'configs/{folder}: no METHODS entry in {__file__} (paper, '
                'official code, BibTeX); add one and re-run')
        info = METHODS[folder]
        files[CONFIGS / folder / 'metafile.yml'] = dump_yaml(
            metafile(folder, info))
        files[CONFIGS / folder / 'README.md'] = readme(folder, info)
        imports.append(f'configs/{folder}/metafile.yml')
    files[ROOT / 'model-index.yml'] = dump_yaml({'Import': imports})
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--check', action='store_true',
                    help='only report files that differ; exit 1 if any')
    args = ap.parse_args()
    stale = []
    for path, text in outputs().items():
        old = path.read_text(encoding='utf-8') if path.exists() else None
        if old != text:
            stale.append(path.relative_to(ROOT).as_posix())
            if not args.check:
                path.write_text(text, encoding='utf-8')
    verb = 'out of date' if args.check else 'written'
    for rel in stale:
        print(f'{verb}: {rel}')
    if args.check and stale:
        sys.exit(1)


if __name__ == '__main__':
    main()
