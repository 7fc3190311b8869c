package io.keras4j.runtime.layers;

import io.keras4j.core.LayerCatalogue;
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
 * like any other. Keyed by class name; the other spellings Keras accepted (MaxPool2D, Convolution2D) are resolved
 * through the model core's catalogue;
 * Keras 3 operation nodes go to {@link OpsMathNode}, {@link OpsArrayNodes} and {@link OpsTfFunctionNodes}.
 */
public final class BuiltinOps implements LayerProvider {
    private static final Map<String, Function<LayerSpec, LayerOp>> FACTORIES = factories();

    /** Class names this provider implements. */
    public static Set<String> classNames() { return FACTORIES.keySet(); }

    @Override
    public Optional<LayerOp> create(LayerSpec spec) {
        Function<LayerSpec, LayerOp> f = spec.isOperation() ? operation(spec.className()) : FACTORIES.get(classOf(spec.className()));
        if (f == null && !spec.isOperation()) f = ApplicationLayerOps.factory(spec).orElse(null);
        // Keras 3's legacy .h5 drops modules, so an operation node (NotEqual) arrives without keras.src.ops.
        if (f == null && spec.module().isEmpty()) f = operation(spec.className());
        return f == null ? Optional.empty() : Optional.of(f.apply(spec));
    }

    /** The class an alias names ({@code MaxPool2D}, {@code Convolution2D}), as the model core's catalogue says. */
    private static String classOf(String name) {
        return LayerCatalogue.keras().find(name).map(LayerCatalogue.LayerClass::className).orElse(name);
    }

    private static Function<LayerSpec, LayerOp> operation(String className) {
        Function<LayerSpec, LayerOp> elementwise = OpsMathNode.factory(className);
        if (elementwise != null) return elementwise;
        Function<LayerSpec, LayerOp> array = OpsArrayNodes.factory(className);
        return array != null ? array : OpsTfFunctionNodes.factory(className);
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
        m.put("Softmax", SoftmaxOp::new);
        m.put("Rescaling", ElementwiseOp::rescaling);
        m.put("Dense", Dense::new);
        m.put("Flatten", ReshapeOp::flatten);
        m.put("Reshape", ReshapeOp::reshape);
        m.put("Conv1D", s -> ConvOp.conv(s, 1));
        m.put("Conv2D", s -> ConvOp.conv(s, 2));
        m.put("Conv3D", s -> ConvOp.conv(s, 3));
        m.put("DepthwiseConv1D", s -> ConvOp.depthwise(s, 1));
        m.put("DepthwiseConv2D", s -> ConvOp.depthwise(s, 2));
        for (int r = 1; r <= 3; r++) {
            int rank = r;
            m.put("MaxPooling" + r + "D", s -> new PoolOp(s, rank, true));
            m.put("AveragePooling" + r + "D", s -> new PoolOp(s, rank, false));
            m.put("GlobalMaxPooling" + r + "D", s -> new GlobalPoolOp(s, true));
            m.put("GlobalAveragePooling" + r + "D", s -> new GlobalPoolOp(s, false));
            m.put("AdaptiveMaxPooling" + r + "D", s -> new AdaptivePoolOp(s, rank, true));
            m.put("AdaptiveAveragePooling" + r + "D", s -> new AdaptivePoolOp(s, rank, false));
        }
        m.put("BatchNormalization", NormalizationOp::batchNormalization);
        m.put("LayerNormalization", NormalizationOp::layerNormalization);
        m.put("Embedding", EmbeddingOp::new);
        m.put("ReversibleEmbedding", ReversibleEmbeddingOp::new);
        m.put("RMSNormalization", RmsNormalizationOp::new);
        m.put("Masking", MaskingOp::new);
        m.put("LSTM", s -> new RecurrentOp(s, RecurrentOp.Cell.LSTM, false));
        m.put("GRU", s -> new RecurrentOp(s, RecurrentOp.Cell.GRU, false));
        m.put("SimpleRNN", s -> new RecurrentOp(s, RecurrentOp.Cell.SIMPLE, false));
        m.put("Bidirectional", BidirectionalOp::new);
        m.put("RNN", RnnCellOps::rnn);
        m.put("ConvLSTM1D", s -> new ConvLstmOp(s, 1));
        m.put("ConvLSTM2D", s -> new ConvLstmOp(s, 2));
        m.put("ConvLSTM3D", s -> new ConvLstmOp(s, 3));
        m.put("TimeDistributed", TimeDistributedOp::new);
        m.put("SpectralNormalization", SpectralNormalizationOp::new);
        m.put("Add", MergeOp::add);
        m.put("Subtract", MergeOp::subtract);
        m.put("Multiply", MergeOp::multiply);
        m.put("Average", MergeOp::average);
        m.put("Maximum", MergeOp::maximum);
        m.put("Minimum", MergeOp::minimum);
        m.put("Concatenate", ConcatenateOp::new);
        m.put("MultiHeadAttention", MultiHeadAttentionOp::new);
        m.put("GroupedQueryAttention", GroupedQueryAttentionOp::new);
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
        m.put("SeparableConv1D", s -> new SeparableConvOp(s, 1));
        m.put("SeparableConv2D", s -> new SeparableConvOp(s, 2));
        m.put("Conv1DTranspose", s -> new ConvTransposeOp(s, 1));
        m.put("Conv2DTranspose", s -> new ConvTransposeOp(s, 2));
        m.put("Conv3DTranspose", s -> new ConvTransposeOp(s, 3));
        for (String augmentation : ImagePreprocessingOps.INFERENCE_IDENTITY) {
            m.put(augmentation, ImagePreprocessingOps::inferenceIdentity);
        }
        m.put("Resizing", ImagePreprocessingOps::resizing);
        m.put("CenterCrop", ImagePreprocessingOps::centerCrop);
        m.put("RandomCrop", ImagePreprocessingOps::randomCrop);
        m.put("AutoContrast", ImagePreprocessingOps::autoContrast);
        m.put("ContrastLimitedAdaptiveHistogramEqualization", ClaheOp::new);
        m.put("Pipeline", PipelineOp::new);
        m.put("Discretization", CategoricalOps::discretization);
        m.put("CategoryEncoding", CategoricalOps::categoryEncoding);
        m.put("Hashing", CategoricalOps::hashing);
        m.put("LocallyConnected1D", s -> new LocallyConnectedOp(s, 1));
        m.put("LocallyConnected2D", s -> new LocallyConnectedOp(s, 2));
        return Map.copyOf(m);
    }
}
