package io.keras4j.format.json;

import java.util.Set;

/** Class names of the layers Keras ships (2.x and 3.x); anything else is a custom object. */
final class BuiltinLayers {
    private static final Set<String> NAMES = Set.of(
            "InputLayer", "Dense", "EinsumDense", "Activation", "Dropout", "SpatialDropout1D", "SpatialDropout2D",
            "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "Flatten", "Reshape", "Permute",
            "RepeatVector", "Lambda", "Masking", "Embedding", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose",
            "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
            "SeparableConv2D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
            "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
            "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "ZeroPadding1D",
            "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D",
            "UpSampling3D", "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
            "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell", "RNN", "StackedRNNCells",
            "Bidirectional", "TimeDistributed", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Add", "Subtract",
            "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot", "Attention", "AdditiveAttention",
            "MultiHeadAttention", "GroupQueryAttention", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
            "ThresholdedReLU", "Rescaling", "Normalization", "Identity", "CenterCrop", "Resizing",
            "LocallyConnected1D", "LocallyConnected2D", "CategoryEncoding", "Hashing", "StringLookup", "IntegerLookup",
            "TextVectorization", "Discretization", "ActivityRegularization", "Sequential", "Functional", "Model",
            "TFOpLambda", "SlicingOpLambda", "TensorFlowOpLayer", "CuDNNLSTM", "CuDNNGRU");

    private BuiltinLayers() {}

    static boolean isBuiltin(String className) { return NAMES.contains(className); }
}
