/** Every route of the API, as the fuzz labels it (and groups its findings). */
export const Route = {
  register: 'POST /v1/auth/register',
  login: 'POST /v1/auth/login',
  refresh: 'POST /v1/auth/refresh',
  logout: 'POST /v1/auth/logout',
  logoutAll: 'POST /v1/auth/logout-all',
  getMe: 'GET /v1/users/me',
  patchMe: 'PATCH /v1/users/me',
  listUsers: 'GET /v1/users',
  getUser: 'GET /v1/users/{id}',
  patchUser: 'PATCH /v1/users/{id}',
  listProducts: 'GET /v1/products',
  getProduct: 'GET /v1/products/{id}',
  createProduct: 'POST /v1/products',
  patchProduct: 'PATCH /v1/products/{id}',
  listOrders: 'GET /v1/orders',
  getOrder: 'GET /v1/orders/{id}',
  createOrder: 'POST /v1/orders',
  cancelOrder: 'POST /v1/orders/{id}/cancel',
  changeOrderStatus: 'PATCH /v1/orders/{id}/status',
  live: 'GET /health/live',
  ready: 'GET /health/ready',
  startup: 'GET /health/startup',
  metrics: 'GET /metrics',
  unknown: 'unknown route',
} as const;

export type RouteLabel = (typeof Route)[keyof typeof Route];
