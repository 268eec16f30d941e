package dev.reverb.runtime.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a {@code .safetensors} file (8-byte little-endian header length, a JSON header of
 * name to dtype, shape and byte offsets, then the raw data) into NDArrays of the asked dtype.
 * F32, F16 and BF16 tensors are read; BF16 is widened to float32 in Java, exactly, because
 * DJL 0.36's PyTorch engine cannot hold bfloat16 arrays (it aborts the JVM).
 */
final class Safetensors {

    private Safetensors() {
    }

    static Map<String, NDArray> read(Path file, NDManager manager, DataType target) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(length, 0);
            long headerLength = length.getLong(0);
            if (headerLength <= 0 || headerLength > 100_000_000 || 8 + headerLength > channel.size()) {
                throw new IOException("not a safetensors file (bad header length " + headerLength + "): " + file);
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            channel.read(headerBytes, 8);
            JsonNode header = new ObjectMapper().readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
            long dataStart = 8 + headerLength;
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode meta = entry.getValue();
                long[] dims = new long[meta.path("shape").size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = meta.path("shape").get(i).asLong();
                }
                long begin = meta.path("data_offsets").get(0).asLong();
                long end = meta.path("data_offsets").get(1).asLong();
                MappedByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin);
                data.order(ByteOrder.LITTLE_ENDIAN);
                NDArray array = create(manager, data, new Shape(dims), meta.path("dtype").asText(), entry.getKey(), file);
                NDArray typed = array.getDataType() == target ? array : array.toType(target, false);
                if (typed != array) {
                    array.close();
                }
                typed.setName(entry.getKey());
                tensors.put(entry.getKey(), typed);
            }
        }
        return tensors;
    }

    private static NDArray create(NDManager manager, ByteBuffer data, Shape shape, String dtype, String name, Path file)
            throws IOException {
        return switch (dtype) {
            case "F32" -> manager.create(data.asFloatBuffer(), shape);
            case "F16" -> manager.create(copy(data), shape, DataType.FLOAT16);
            case "BF16" -> {
                int n = data.remaining() / 2;
                FloatBuffer widened = FloatBuffer.allocate(n);
                for (int i = 0; i < n; i++) {
                    widened.put(Float.intBitsToFloat((data.getShort(i * 2) & 0xffff) << 16));
                }
                widened.rewind();
                yield manager.create(widened, shape);
            }
            default -> throw new IOException("tensor '" + name + "' in " + file + " has dtype " + dtype
                    + "; supported: F32, F16, BF16");
        };
    }

    private static ByteBuffer copy(ByteBuffer data) {
        ByteBuffer direct = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.nativeOrder());
        while (data.hasRemaining()) {
            direct.putShort(data.getShort());
        }
        direct.rewind();
        return direct;
    }
}
