# FGVC-Aircraft 2013b (100 variants, 6,667 trainval / 3,333 test).
# Pipelines and batch size: finegrained_224.py (the reference's fine-grained
# transfer recipe).
#
# mmpretrain's FGVCAircraft dataset; expected layout under
# data/fgvc-aircraft-2013b: data/images/*.jpg,
#   data/images_variant_{trainval,test}.txt, data/variants.txt (the official
#   archive as extracted). Training uses the standard
#   "trainval" split, testing the "test" split.
_base_ = ['./finegrained_224.py']

dataset_type = 'FGVCAircraft'
data_preprocessor = dict(num_classes=100)
train_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root='data/fgvc-aircraft-2013b', split='trainval'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root='data/fgvc-aircraft-2013b', split='test'))
test_dataloader = val_dataloader
