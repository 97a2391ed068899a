# Mixed labels are soft: soft-target cross-entropy and no training accuracy
# in the head (the ViT recipes keep label smoothing and set cal_acc=False).
soft_ce_head = dict(
    loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
    cal_acc=False)
