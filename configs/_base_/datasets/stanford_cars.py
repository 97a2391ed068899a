# Stanford Cars (196 classes, 8,144 train / 8,041 test).
# Pipelines and batch size: finegrained_224.py (the reference's fine-grained
# transfer recipe).
#
# mmpretrain's StanfordCars dataset; expected layout under
# data/Stanford_Cars: either car_ims/*.jpg + cars_annos.mat, or cars_train/,
#   cars_test/ and devkit/ with cars_train_annos.mat and
#   cars_test_annos_withlabels.mat (see the docstring of
#   mmpretrain.datasets.StanfordCars).
_base_ = ['./finegrained_224.py']

dataset_type = 'StanfordCars'
data_preprocessor = dict(num_classes=196)
train_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root='data/Stanford_Cars', split='train'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root='data/Stanford_Cars', split='test'))
test_dataloader = val_dataloader
