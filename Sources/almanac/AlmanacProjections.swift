import BookingReadModels
import FlowReadModels
import Projections

/// Every projection of this build: the generic activity views and the domains' read models.
/// `almanac projector`, `replay` and `dev` choose from here.
enum AlmanacProjections {
    static func catalog() throws -> ProjectionCatalog {
        ProjectionCatalog(try [BookingReadModel.projection(), FlowReadModel.projection(), RunReadModel.projection()] + ProjectionCatalog.standard().projections)
    }
}
