package dev.reverb.runtime.optimize;

import java.util.List;

/** The lines two texts do not share, as {@code -} (only in the first) and {@code +} (only in the second) lines. */
final class LineDiff {

    private LineDiff() {
    }

    static String of(String before, String after) {
        List<String> a = before.lines().toList();
        List<String> b = after.lines().toList();
        int[][] common = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                common[i][j] = a.get(i).equals(b.get(j)) ? common[i + 1][j + 1] + 1
                        : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                i++;
                j++;
            } else if (j < b.size() && (i == a.size() || common[i][j + 1] >= common[i + 1][j])) {
                out.append("+ ").append(b.get(j++)).append('\n');
            } else {
                out.append("- ").append(a.get(i++)).append('\n');
            }
        }
        return out.toString();
    }
}
