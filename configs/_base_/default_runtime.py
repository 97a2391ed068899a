# Runtime shared by every config of adautomix_mm.
# All modules are built from mmpretrain's registries; importing adautomix_mm
# registers this package's modules into them.
default_scope = 'mmpretrain'
custom_imports = dict(imports=['adautomix_mm'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='VisualizationHook', enable=False),
    # Long runs (adautomix_mm.engine.hooks; docs/long_runs.md): stop on a
    # non-finite loss/weights before a checkpoint is written, store the
    # generator states for an exact resume, write checkpoints atomically and
    # auto-resume from the newest readable one; on SIGTERM/SIGINT/SIGUSR1
    # save a resumable checkpoint after the current iteration and exit.
    nonfinite_loss=dict(type='NonFiniteLossHook'),
    rng_state=dict(type='RngStateHook'),
    checkpoint_safety=dict(type='CheckpointSafetyHook'),
    # Readable logs (adautomix_mm.engine.hooks): MMEngine's ~500-line
    # hook-order listing in one line (full at log_level='DEBUG'), and after
    # the first epoch its wall time with the time left.
    readable_log=dict(type='ReadableLogHook'),
    epoch_time=dict(type='EpochTimeEstimateHook'),
    preemption=dict(type='PreemptionHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # timeout (seconds): how long a rank waits for a stalled one in a
    # collective before the run fails (MMEngine's dist_cfg.timeout).
    dist_cfg=dict(backend='nccl', timeout=1800),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=None, deterministic=False)

# Logged training scalars: MMEngine averages keys matching `mean_pattern` over
# the last `window_size` iterations and logs the latest value of any other
# key. The learned mixers' mask diagnostics (`mask_*`) join losses and
# timings so a logged value is not one batch's draw. ReadableLogProcessor is
# MMEngine's LogProcessor with `first_keys` leading the line (the classifier
# loss `loss_cls` before `loss`, which also holds the generator's term) and
# `flag_keys` printed as integers (adv_phase: 0/1).
log_processor = dict(
    type='ReadableLogProcessor',
    window_size=10,
    mean_pattern=r'.*(loss|time|data_time|grad_norm|mask_).*',
    first_keys=('loss_cls', 'loss'),
    flag_keys=('adv_phase', ))
