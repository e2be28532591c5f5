export { EntityPreviewsContent } from './EntityPreviewsContent';
export { EntityPreviewsCard } from './EntityPreviewsCard';
