package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerProvider;
import io.keras4j.runtime.spi.LayerSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The table of keras4j's built-in runtime ops: Keras class name to the factory of its {@link LayerOp}, a provider
 * like any other. Keyed by Keras 3 class name plus the Keras 1 and 2 spellings and aliases that reach the runtime;
 * Keras 3 operation nodes go to {@link OpsMathNode} and {@link OpsArrayNodes}.
 */
public final class BuiltinOps implements LayerProvider {
    private static final Map<String, Function<LayerSpec, LayerOp>> FACTORIES = factories();

    /** Class names this provider implements. */
    public static Set<String> classNames() { return FACTORIES.keySet(); }

    @Override
    public Optional<LayerOp> create(LayerSpec spec) {
        Function<LayerSpec, LayerOp> f = spec.isOperation() ? operation(spec.className()) : FACTORIES.get(spec.className());
        // Keras 3's legacy .h5 drops modules, so an operation node (NotEqual) arrives without keras.src.ops.
        if (f == null && spec.module().isEmpty()) f = operation(spec.className());
        return f == null ? Optional.empty() : Optional.of(f.apply(spec));
    }

    private static Function<LayerSpec, LayerOp> operation(String className) {
        Function<LayerSpec, LayerOp> elementwise = OpsMathNode.factory(className);
        return elementwise != null ? elementwise : OpsArrayNodes.factory(className);
    }

    private static Map<String, Function<LayerSpec, LayerOp>> factories() {
        Map<String, Function<LayerSpec, LayerOp>> m = new HashMap<>();
        for (String identity : new String[] {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity"}) {
            m.put(identity, ElementwiseOp::identity);
        }
        m.put("Activation", ElementwiseOp::activation);
        m.put("ReLU", ElementwiseOp::relu);
        m.put("LeakyReLU", ElementwiseOp::leakyRelu);
        m.put("ELU", ElementwiseOp::elu);
        m.put("ThresholdedReLU", ElementwiseOp::thresholdedRelu);
        m.put("Softmax", ElementwiseOp::softmax);
        m.put("Rescaling", ElementwiseOp::rescaling);
        m.put("Dense", Dense::new);
        m.put("Flatten", ReshapeOp::flatten);
        m.put("Reshape", ReshapeOp::reshape);
        for (String n : new String[] {"Conv1D", "Convolution1D"}) m.put(n, s -> ConvOp.conv(s, 1));
        for (String n : new String[] {"Conv2D", "Convolution2D"}) m.put(n, s -> ConvOp.conv(s, 2));
        for (String n : new String[] {"Conv3D", "Convolution3D"}) m.put(n, s -> ConvOp.conv(s, 3));
        m.put("DepthwiseConv1D", s -> ConvOp.depthwise(s, 1));
        m.put("DepthwiseConv2D", s -> ConvOp.depthwise(s, 2));
        for (String n : new String[] {"MaxPooling1D", "MaxPool1D"}) m.put(n, s -> new PoolOp(s, 1, true));
        for (String n : new String[] {"MaxPooling2D", "MaxPool2D"}) m.put(n, s -> new PoolOp(s, 2, true));
        for (String n : new String[] {"AveragePooling1D", "AvgPool1D"}) m.put(n, s -> new PoolOp(s, 1, false));
        for (String n : new String[] {"AveragePooling2D", "AvgPool2D"}) m.put(n, s -> new PoolOp(s, 2, false));
        for (String n : new String[] {"MaxPooling3D", "MaxPool3D"}) m.put(n, s -> new PoolOp(s, 3, true));
        for (String n : new String[] {"AveragePooling3D", "AvgPool3D"}) m.put(n, s -> new PoolOp(s, 3, false));
        for (String d : new String[] {"1D", "2D", "3D"}) {
            m.put("GlobalMaxPooling" + d, s -> new GlobalPoolOp(s, true));
            m.put("GlobalMaxPool" + d, s -> new GlobalPoolOp(s, true));
            m.put("GlobalAveragePooling" + d, s -> new GlobalPoolOp(s, false));
            m.put("GlobalAvgPool" + d, s -> new GlobalPoolOp(s, false));
        }
        m.put("BatchNormalization", NormalizationOp::batchNormalization);
        m.put("LayerNormalization", NormalizationOp::layerNormalization);
        m.put("Embedding", EmbeddingOp::new);
        m.put("Masking", MaskingOp::new);
        m.put("LSTM", s -> new RecurrentOp(s, RecurrentOp.Cell.LSTM, false));
        m.put("GRU", s -> new RecurrentOp(s, RecurrentOp.Cell.GRU, false));
        m.put("SimpleRNN", s -> new RecurrentOp(s, RecurrentOp.Cell.SIMPLE, false));
        m.put("Bidirectional", BidirectionalOp::new);
        m.put("ConvLSTM1D", s -> new ConvLstmOp(s, 1));
        m.put("ConvLSTM2D", s -> new ConvLstmOp(s, 2));
        m.put("TimeDistributed", TimeDistributedOp::new);
        m.put("Add", MergeOp::add);
        m.put("Subtract", MergeOp::subtract);
        m.put("Multiply", MergeOp::multiply);
        m.put("Average", MergeOp::average);
        m.put("Maximum", MergeOp::maximum);
        m.put("Minimum", MergeOp::minimum);
        m.put("Concatenate", ConcatenateOp::new);
        m.put("MultiHeadAttention", MultiHeadAttentionOp::new);
        m.put("TFOpLambda", s -> TfShapeFunctionOp.handles(s) ? new TfShapeFunctionOp(s) : new TfOpLambdaOp(s));
        m.put("SlicingOpLambda", SlicingOpLambdaOp::new);
        m.put("Normalization", NormalizationLayerOp::new);
        m.put("Attention", s -> new AttentionOp(s, false));
        m.put("AdditiveAttention", s -> new AttentionOp(s, true));
        m.put("Dot", DotOp::new);
        m.put("EinsumDense", EinsumDenseOp::new);
        m.put("Permute", ShapeOps::permute);
        m.put("RepeatVector", ShapeOps::repeatVector);
        for (int r = 1; r <= 3; r++) {
            int rank = r;
            m.put("ZeroPadding" + r + "D", s -> ShapeOps.zeroPadding(s, rank));
            m.put("Cropping" + r + "D", s -> ShapeOps.cropping(s, rank));
            m.put("UpSampling" + r + "D", s -> ShapeOps.upSampling(s, rank));
        }
        m.put("UnitNormalization", UnitAndGroupNormalizations::unitNormalization);
        m.put("GroupNormalization", UnitAndGroupNormalizations::groupNormalization);
        m.put("PReLU", PReluOp::new);
        for (String n : new String[] {"SeparableConv1D", "SeparableConvolution1D"}) m.put(n, s -> new SeparableConvOp(s, 1));
        for (String n : new String[] {"SeparableConv2D", "SeparableConvolution2D"}) m.put(n, s -> new SeparableConvOp(s, 2));
        for (String n : new String[] {"Conv1DTranspose", "Convolution1DTranspose"}) m.put(n, s -> new ConvTransposeOp(s, 1));
        for (String n : new String[] {"Conv2DTranspose", "Convolution2DTranspose", "Deconvolution2D"}) {
            m.put(n, s -> new ConvTransposeOp(s, 2));
        }
        for (String n : new String[] {"Conv3DTranspose", "Convolution3DTranspose"}) m.put(n, s -> new ConvTransposeOp(s, 3));
        return Map.copyOf(m);
    }
}
