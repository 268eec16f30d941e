package dev.reverb.memory;

/** Small vector helpers shared by the stores. */
final class Vectors {

    private Vectors() {
    }

    /** A unit-length copy; refuses the wrong dimension and the zero vector. */
    static float[] unit(float[] v, int dimension) {
        if (v == null || v.length != dimension) {
            throw new IllegalArgumentException("expected a vector of dimension " + dimension + ", got "
                    + (v == null ? "none" : Integer.toString(v.length)));
        }
        double norm = Math.sqrt(dot(v, v));
        if (norm == 0 || Double.isNaN(norm)) {
            throw new IllegalArgumentException("a zero (or NaN) vector has no direction");
        }
        if (Math.abs(norm - 1) < 1e-6) {
            return v.clone(); // already unit: kept bit for bit, so export and import round-trip exactly
        }
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] / norm);
        }
        return u;
    }

    static float dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return (float) s;
    }
}
