# Co-Mixup (Kim et al., ICLR 2021) with the official CIFAR-100 command's
# settings (snu-mllab/Co-Mixup README: --m_part 20 --m_block_num 4
# --mixup_alpha 2.0 --clean_lam 1.0 --m_beta 0.32 --m_gamma 1.0 --m_thres 0.83
# --m_eta 0.05 --m_omega 0.001, m_niter 4, set_resolve). Needs gco-wrapper.
_base_ = ['./soft_ce_head.py']
comixup = dict(
    type='SaliencyMixClassifier',
    mixer=dict(type='CoMixup', alpha=2.0, m_part=20, m_block_num=4,
               beta=0.32, gamma=1.0, thres=0.83, eta=0.05, omega=0.001,
               niter=4, set_resolve=True, clean_lam=1.0))
