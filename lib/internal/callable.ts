// node's classes that predate ES classes (tls.Server, tls.SecureContext) are
// function constructors: called without `new` they construct, and an old-style
// subclass (util.inherits) initializes itself with `Base.call(this, ...)`. An ES
// class can do neither, so the module exports a function in front of the class:
// `new`, `extends` and `instanceof` reach the class unchanged, a plain call
// constructs, and a call on an instance adopts it (see adoptingBase).

// The object the next adopting base constructor returns instead of the one being made.
let adoptee: object | undefined;

/**
 * A base for a class whose instances may be adopted: the same base as `Base` (a
 * function constructor such as net.Server), but while an adoption is under way
 * it initializes and returns the object being adopted, so the derived class's
 * constructor (its fields, private ones too) runs on that object.
 */
export function adoptingBase<B extends abstract new (...args: never[]) => object>(Base: B): B {
  function Adopting(this: object, ...args: unknown[]): object {
    const self = adoptee ?? this;
    adoptee = undefined;
    Reflect.apply(Base, self, args);
    return self;
  }
  Object.setPrototypeOf(Adopting, Base);
  Adopting.prototype = Base.prototype as object;
  Object.defineProperty(Adopting, 'name', { value: Base.name });
  return Adopting as unknown as B;
}

type Class = new (...args: never[]) => object;

/** The class, and callable as node's function constructors are. */
export type Callable<C extends Class> = C & ((...args: ConstructorParameters<C>) => InstanceType<C>);

/**
 * A function constructor named `name` in front of `Class`: what the module
 * exports. With `adopt`, `Callable.call(instance, ...)` initializes an existing
 * instance (Class must extend an adoptingBase).
 */
export function callableClass<C extends Class>(Class: C, name: string, adopt = false): Callable<C> {
  const construct = Class as unknown as new (...args: unknown[]) => object;
  // Made as a property of that name, so stack traces name it too ("at Server.emit").
  type Fn = (this: unknown, ...args: unknown[]) => object | undefined;
  const named: Record<string, Fn> = {
    [name]: function (this: unknown, ...args: unknown[]): object | undefined {
      if (new.target !== undefined) return Reflect.construct(construct, args, new.target) as object;
      if (adopt && this instanceof Class) {
        // The object being adopted, for adoptingBase to hand back.
        // eslint-disable-next-line @typescript-eslint/no-this-alias
        adoptee = this;
        try {
          Reflect.construct(construct, args);
        } finally {
          adoptee = undefined;
        }
        return undefined;
      }
      return Reflect.construct(construct, args, Callable) as object;
    },
  };
  const Callable = named[name];
  Object.defineProperty(Callable, 'length', { value: Class.length });
  Object.setPrototypeOf(Callable, Object.getPrototypeOf(Class) as object);
  // Static members stay reachable from the exported function.
  for (const key of Reflect.ownKeys(Class)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    Object.defineProperty(Callable, key, Object.getOwnPropertyDescriptor(Class, key) as PropertyDescriptor);
  }
  Callable.prototype = Class.prototype as object;
  Object.defineProperty(Class.prototype, 'constructor', {
    value: Callable,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  return Callable as unknown as Callable<C>;
}
