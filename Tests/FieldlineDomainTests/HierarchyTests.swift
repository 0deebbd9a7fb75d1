import Foundation
import FieldlineDomain
import Testing

private func ids(_ count: Int) -> [UUID] {
    (0..<count).map { _ in UUID() }
}

@Suite("Hierarchy")
struct HierarchyTests {
    @Test("the maximum depth is 32")
    func maxDepth() {
        #expect(Hierarchy.maxDepth == 32)
    }

    @Test("a root's path is just its id")
    func rootPath() throws {
        let id = UUID()
        #expect(try Hierarchy.path(for: id, under: nil) == [id])
        #expect(try Hierarchy.path(for: id, under: []) == [id])
    }

    @Test("a child's path is the parent's path followed by the child")
    func childPath() throws {
        let parentPath = ids(3)
        let id = UUID()
        #expect(try Hierarchy.path(for: id, under: parentPath) == parentPath + [id])
    }

    @Test("a child may sit at depth 32 but not 33")
    func depthLimit() throws {
        let id = UUID()
        let deepest = try Hierarchy.path(for: id, under: ids(31))
        #expect(deepest.count == 32)
        #expect(deepest.last == id)

        let error = try #require(throws: ValidationError.self) { try Hierarchy.path(for: id, under: ids(32)) }
        #expect(error.field == "parent_id")
        #expect(error.code == "hierarchy_too_deep")
        #expect(error.message == "the organization tree may be at most 32 levels deep")
    }

    @Test("moving to the root is always allowed")
    func moveToRoot() throws {
        try Hierarchy.validateMove(id: UUID(), newParentPath: nil, subtreeHeight: 0)
        try Hierarchy.validateMove(id: UUID(), newParentPath: nil, subtreeHeight: 31)
    }

    @Test("moving under an unrelated parent within bounds is allowed")
    func validMove() throws {
        try Hierarchy.validateMove(id: UUID(), newParentPath: ids(2), subtreeHeight: 3)
        // 30 ancestors + the node + 1 level below = 32.
        try Hierarchy.validateMove(id: UUID(), newParentPath: ids(30), subtreeHeight: 1)
        try Hierarchy.validateMove(id: UUID(), newParentPath: ids(31), subtreeHeight: 0)
    }

    @Test("moving under itself or a descendant is a cycle")
    func cycles() throws {
        let root = UUID(), moved = UUID(), child = UUID(), grandchild = UUID()
        for newParentPath in [
            [root, moved],  // under itself
            [root, moved, child],  // under its child
            [root, moved, child, grandchild],  // under its grandchild
            [moved],  // it is the root of the new parent's path
        ] {
            let error = try #require(throws: ValidationError.self) {
                try Hierarchy.validateMove(id: moved, newParentPath: newParentPath, subtreeHeight: 2)
            }
            #expect(error == ValidationError(
                field: "parent_id", code: "hierarchy_cycle",
                message: "an organization cannot be moved under itself or one of its descendants"))
        }
    }

    @Test("a cycle is reported even when the tree would also be too deep")
    func cycleWins() throws {
        let moved = UUID()
        let error = try #require(throws: ValidationError.self) {
            try Hierarchy.validateMove(id: moved, newParentPath: ids(40) + [moved], subtreeHeight: 5)
        }
        #expect(error.code == "hierarchy_cycle")
    }

    @Test("a move that pushes the deepest descendant past 32 levels is refused")
    func tooDeep() throws {
        for (parentDepth, height) in [(31, 1), (30, 2), (1, 31), (0, 32), (32, 0)] {
            let error = try #require(throws: ValidationError.self) {
                try Hierarchy.validateMove(id: UUID(), newParentPath: ids(parentDepth), subtreeHeight: height)
            }
            #expect(error == ValidationError(
                field: "parent_id", code: "hierarchy_too_deep",
                message: "the organization tree may be at most 32 levels deep"))
        }
    }

    @Test("rebase replaces the ancestors above the moved node")
    func rebase() {
        let (a, b, c, d, e) = (UUID(), UUID(), UUID(), UUID(), UUID())
        let x = UUID(), y = UUID()
        // a → b → c → d → e; c moves under x → y.
        #expect(Hierarchy.rebase(path: [a, b, c, d, e], movedID: c, newParentPath: [x, y]) == [x, y, c, d, e])
        // The moved node's own path.
        #expect(Hierarchy.rebase(path: [a, b, c], movedID: c, newParentPath: [x]) == [x, c])
        // Moving to the root.
        #expect(Hierarchy.rebase(path: [a, b, c, d], movedID: c, newParentPath: nil) == [c, d])
        // Moving a root under something.
        #expect(Hierarchy.rebase(path: [a, b], movedID: a, newParentPath: [x, y]) == [x, y, a, b])
        // Moving to a shallower place in the same tree.
        #expect(Hierarchy.rebase(path: [a, b, c, d], movedID: c, newParentPath: [a]) == [a, c, d])
    }

    @Test("rebase leaves paths that do not contain the moved node unchanged")
    func rebaseUnrelated() {
        let path = ids(4)
        #expect(Hierarchy.rebase(path: path, movedID: UUID(), newParentPath: ids(2)) == path)
        #expect(Hierarchy.rebase(path: [], movedID: UUID(), newParentPath: ids(2)) == [])
    }

    @Test("a rebased path matches a path built from scratch under the new parent")
    func rebaseAgreesWithPath() throws {
        let newParent = ids(3)
        let moved = UUID(), child = UUID()
        let oldChildPath = ids(2) + [moved, child]
        let expected = try Hierarchy.path(for: child, under: Hierarchy.path(for: moved, under: newParent))
        #expect(Hierarchy.rebase(path: oldChildPath, movedID: moved, newParentPath: newParent) == expected)
    }
}
