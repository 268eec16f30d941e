package dev.reverb.agents.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The numbers of a search tree: visits, total values and terminal marks of nodes, with UCT
 * selection and backup. Nodes are ids; the root is {@link #ROOT}. Pure and single-threaded.
 */
final class MctsTree {

    static final int ROOT = 0;

    private static final class Node {
        final int parent;
        final int depth;
        final List<Integer> children = new ArrayList<>();
        int visits;
        double total;
        boolean terminal;

        Node(int parent, int depth, boolean terminal) {
            this.parent = parent;
            this.depth = depth;
            this.terminal = terminal;
        }
    }

    private final List<Node> nodes = new ArrayList<>(List.of(new Node(-1, 0, false)));

    /** Adds a child of {@code parent}; returns its id. */
    int add(int parent, boolean terminal) {
        Node p = node(parent);
        if (p.terminal) {
            throw new IllegalStateException("a terminal node has no children: " + parent);
        }
        nodes.add(new Node(parent, p.depth + 1, terminal));
        int id = nodes.size() - 1;
        p.children.add(id);
        return id;
    }

    void markTerminal(int id) {
        node(id).terminal = true;
    }

    int size() {
        return nodes.size();
    }

    int parent(int id) {
        return node(id).parent;
    }

    int depth(int id) {
        return node(id).depth;
    }

    List<Integer> children(int id) {
        return List.copyOf(node(id).children);
    }

    int visits(int id) {
        return node(id).visits;
    }

    double total(int id) {
        return node(id).total;
    }

    /** The mean value, 0 while unvisited. */
    double q(int id) {
        Node n = node(id);
        return n.visits == 0 ? 0 : n.total / n.visits;
    }

    boolean terminal(int id) {
        return node(id).terminal;
    }

    /** UCT of a child: infinite while unvisited, else {@code Q + c * sqrt(ln N(parent) / N(child))}. */
    double uct(int child, double c) {
        Node n = node(child);
        if (n.visits == 0) {
            return Double.POSITIVE_INFINITY;
        }
        int parentVisits = node(n.parent).visits;
        return q(child) + c * Math.sqrt(Math.log(Math.max(parentVisits, 1)) / n.visits);
    }

    /** The child with the highest UCT (the earliest among equals); -1 when there is none. */
    int select(int id, double c) {
        int best = -1;
        double bestUct = Double.NEGATIVE_INFINITY;
        for (int child : node(id).children) {
            double u = uct(child, c);
            if (best == -1 || u > bestUct) {
                best = child;
                bestUct = u;
            }
        }
        return best;
    }

    /** Selection: from the root by {@link #select} down to a terminal node or one without children. */
    int descend(double c) {
        int id = ROOT;
        while (!terminal(id) && !node(id).children.isEmpty()) {
            id = select(id, c);
        }
        return id;
    }

    /** Adds one visit and {@code value} to the node and each of its ancestors. */
    void backup(int id, double value) {
        for (int n = id; n != -1; n = node(n).parent) {
            node(n).visits++;
            node(n).total += value;
        }
    }

    /** Nothing left to learn below: a visited terminal node, or one whose children are all exhausted. */
    boolean exhausted(int id) {
        Node n = node(id);
        if (n.terminal) {
            return n.visits > 0;
        }
        return !n.children.isEmpty() && n.children.stream().allMatch(this::exhausted);
    }

    /** The most visited child (ties: the higher mean value, then the earlier); -1 when there is none. */
    int mostVisited(int id) {
        int best = -1;
        for (int child : node(id).children) {
            if (best == -1 || visits(child) > visits(best)
                    || visits(child) == visits(best) && q(child) > q(best)) {
                best = child;
            }
        }
        return best;
    }

    /** The final path: from the root (excluded) by {@link #mostVisited} down to a node without children. */
    List<Integer> principal() {
        List<Integer> path = new ArrayList<>();
        for (int id = mostVisited(ROOT); id != -1; id = mostVisited(id)) {
            path.add(id);
        }
        return path;
    }

    /** The visit counts of a node's children, in order. */
    List<Integer> childVisits(int id) {
        return node(id).children.stream().map(this::visits).toList();
    }

    private Node node(int id) {
        if (id < 0 || id >= nodes.size()) {
            throw new IllegalArgumentException("no node " + id);
        }
        return nodes.get(id);
    }
}
