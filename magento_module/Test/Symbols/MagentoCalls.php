<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Symbols;

use PhpParser\Node;
use PhpParser\Node\Expr;
use PhpParser\Node\Name;
use PhpParser\Node\Stmt;
use PhpParser\NodeFinder;
use PhpParser\NodeTraverser;
use PhpParser\NodeVisitor\NameResolver;
use PhpParser\ParserFactory;

/**
 * Every Magento (and PSR) class, constant and method the module's code uses, found with
 * nikic/php-parser: names after `use` resolution, and method calls whose receiver type is
 * known — a typed property or parameter (constructor promotion included), `$this`/`parent`
 * in a class extending a Magento class, a variable assigned from a typed call or annotated
 * with `@var`, a call chained on a known return type (from the signature index).
 */
class MagentoCalls
{
    public const PREFIXES = ['Magento\\', 'Psr\\'];

    /** @var array<string, array{file: string, line: int}> class => first use */
    public array $classes = [];
    /** @var array<int, array{class: string, method: string, args: int, file: string, line: int, static: bool}> */
    public array $calls = [];
    /** @var array<int, array{class: string, constant: string, file: string, line: int}> */
    public array $constants = [];
    /** @var array<int, array{class: string, method: string, params: int, required: int, parent: string, file: string}> */
    public array $overrides = [];
    /** @var array<int, string> calls whose receiver could not be typed (not checked) */
    public array $untyped = [];
    /** @var array<string, string> the current file's `use` aliases */
    private array $uses = [];
    private ?string $self = null;
    private string $namespace = '';

    public function __construct(private SignatureIndex $index)
    {
    }

    public static function isMagento(string $class): bool
    {
        foreach (self::PREFIXES as $prefix) {
            if (str_starts_with(ltrim($class, '\\'), $prefix)) {
                return true;
            }
        }
        return false;
    }

    /** @param string[] $files */
    public function scan(array $files, string $root): void
    {
        $parser = (new ParserFactory())->create(ParserFactory::PREFER_PHP7);
        foreach ($files as $file) {
            $traverser = new NodeTraverser();
            $traverser->addVisitor(new NameResolver());
            $ast = $traverser->traverse($parser->parse((string) file_get_contents($file)) ?? []);
            $relative = substr($file, strlen($root) + 1);
            $this->uses = [];
            foreach ((new NodeFinder())->findInstanceOf($ast, Stmt\UseUse::class) as $use) {
                $this->uses[$use->getAlias()->toString()] = $use->name->toString();
            }
            $namespace = (new NodeFinder())->findFirstInstanceOf($ast, Stmt\Namespace_::class);
            $this->namespace = $namespace && $namespace->name ? $namespace->name->toString() : '';
            foreach ((new NodeFinder())->findInstanceOf($ast, Name::class) as $name) {
                $this->noteClass($name->toString(), $relative, $name->getStartLine());
            }
            foreach ((new NodeFinder())->findInstanceOf($ast, Stmt\Class_::class) as $class) {
                $this->scanClass($class, $relative);
            }
        }
    }

    private function noteClass(string $class, string $file, int $line): void
    {
        if (self::isMagento($class) && !isset($this->classes[$class])) {
            $this->classes[$class] = ['file' => $file, 'line' => $line];
        }
    }

    private function scanClass(Stmt\Class_ $class, string $file): void
    {
        $this->self = $class->namespacedName ? $class->namespacedName->toString() : null;
        $parent = $class->extends ? $class->extends->toString() : null;
        $props = [];
        foreach ($class->getProperties() as $property) {
            if ($property->type instanceof Name) {
                foreach ($property->props as $prop) {
                    $props[$prop->name->toString()] = $property->type->toString();
                }
            }
        }
        foreach ($class->getMethods() as $method) {
            foreach ($method->params as $param) {
                if ($param->flags !== 0 && $this->typeName($param->type) !== null) {
                    $props[$param->var->name] = $this->typeName($param->type);
                }
            }
        }
        $magentoParents = array_filter(
            array_merge([$parent], array_map(static fn (Name $n) => $n->toString(), $class->implements)),
            static fn (?string $c): bool => $c !== null && self::isMagento($c)
        );
        foreach ($class->getMethods() as $method) {
            foreach ($magentoParents as $magentoParent) {
                if ($this->index->method($magentoParent, $method->name->toString()) !== null) {
                    $this->overrides[] = [
                        'class' => $magentoParent, 'method' => $method->name->toString(),
                        'params' => count($method->params),
                        'required' => count(array_filter($method->params, static fn ($p) => $p->default === null && !$p->variadic)),
                        'parent' => $magentoParent, 'file' => $file,
                    ];
                }
            }
            $vars = [];
            foreach ($method->params as $param) {
                if ($this->typeName($param->type) !== null) {
                    $vars[$param->var->name] = $this->typeName($param->type);
                }
            }
            $this->scanStatements($method->stmts ?? [], $props, $vars, $parent, $file);
        }
    }

    private function typeName(?Node $type): ?string
    {
        if ($type instanceof Node\NullableType) {
            $type = $type->type;
        }
        return $type instanceof Name ? $type->toString() : null;
    }

    /**
     * @param Node[] $stmts
     * @param array<string, string> $props
     * @param array<string, string> $vars
     */
    private function scanStatements(array $stmts, array $props, array $vars, ?string $parent, string $file): void
    {
        $nodes = [];
        $collect = static function (Node $node) use (&$collect, &$nodes): void {
            $nodes[] = $node;
            foreach ($node->getSubNodeNames() as $sub) {
                $value = $node->$sub;
                foreach (is_array($value) ? $value : [$value] as $child) {
                    if ($child instanceof Node && !$child instanceof Expr\Closure && !$child instanceof Expr\ArrowFunction) {
                        $collect($child);
                    }
                }
            }
        };
        foreach ($stmts as $stmt) {
            $collect($stmt);
        }
        foreach ($nodes as $node) {
            foreach ($node->getComments() as $comment) {
                if (preg_match('#@var\s+(\\\\?[\w\\\\]+)(?:\|null)?\s+\$(\w+)#', $comment->getText(), $m)) {
                    $vars[$m[2]] = $this->resolveDocName($m[1]);
                }
            }
            if ($node instanceof Expr\Assign && $node->var instanceof Expr\Variable && is_string($node->var->name)) {
                $type = $this->typeOf($node->expr, $props, $vars, $parent);
                if ($type !== null && !isset($vars[$node->var->name])) {
                    $vars[$node->var->name] = $type;
                }
            }
            if (
                $node instanceof Expr\Instanceof_ && $node->expr instanceof Expr\Variable && is_string($node->expr->name)
                && $node->class instanceof Name
            ) {
                $vars[$node->expr->name] = $node->class->toString(); // narrowed by the check
            }
            if ($node instanceof Stmt\Catch_ && $node->var instanceof Expr\Variable && is_string($node->var->name)) {
                $vars[$node->var->name] = $node->types[0]->toString();
            }
            if ($node instanceof Expr\MethodCall || $node instanceof Expr\StaticCall) {
                $this->noteCall($node, $props, $vars, $parent, $file);
            }
            if (
                $node instanceof Expr\ClassConstFetch && $node->class instanceof Name && $node->name instanceof Node\Identifier
                && self::isMagento($node->class->toString()) && $node->name->toString() !== 'class'
            ) {
                $this->constants[] = ['class' => $node->class->toString(), 'constant' => $node->name->toString(),
                    'file' => $file, 'line' => $node->getStartLine()];
            }
        }
    }

    /** Names in @var are resolved like code names: against the file's `use` statements, else its namespace. */
    private function resolveDocName(string $name): string
    {
        if (str_starts_with($name, '\\')) {
            return ltrim($name, '\\');
        }
        $first = explode('\\', $name)[0];
        if (isset($this->uses[$first])) {
            return $this->uses[$first] . substr($name, strlen($first));
        }
        return ltrim($this->namespace . '\\' . $name, '\\');
    }

    /** The declared return class of one of the module's own methods (by reflection). */
    private function moduleReturnType(string $class, string $method): ?string
    {
        if (!class_exists($class) && !interface_exists($class)) {
            return null;
        }
        $reflection = new \ReflectionClass($class);
        if (!$reflection->hasMethod($method)) {
            return null;
        }
        $type = $reflection->getMethod($method)->getReturnType();
        return $type instanceof \ReflectionNamedType && !$type->isBuiltin() ? $type->getName() : null;
    }

    /**
     * @param array<string, string> $props
     * @param array<string, string> $vars
     */
    private function typeOf(?Node $expr, array $props, array $vars, ?string $parent): ?string
    {
        if ($expr instanceof Expr\Variable && $expr->name === 'this') {
            return $parent !== null ? '$this:' . $parent : null;
        }
        if ($expr instanceof Expr\Variable && is_string($expr->name)) {
            return $vars[$expr->name] ?? null;
        }
        if (
            $expr instanceof Expr\PropertyFetch && $expr->var instanceof Expr\Variable && $expr->var->name === 'this'
            && $expr->name instanceof Node\Identifier
        ) {
            $name = $expr->name->toString();
            return $props[$name] ?? ($parent !== null ? $this->index->propertyType($parent, $name) : null);
        }
        if ($expr instanceof Expr\New_ && $expr->class instanceof Name) {
            return $expr->class->toString();
        }
        if ($expr instanceof Expr\MethodCall && $expr->name instanceof Node\Identifier) {
            $method = $expr->name->toString();
            if ($expr->var instanceof Expr\Variable && $expr->var->name === 'this' && $this->self !== null) {
                $own = $this->moduleReturnType($this->self, $method);
                if ($own !== null || $parent === null || !self::isMagento($parent)) {
                    return $own;
                }
                return $this->index->returnType($parent, $method);
            }
            $receiver = $this->typeOf($expr->var, $props, $vars, $parent);
            if ($receiver === null) {
                return null;
            }
            $class = str_starts_with($receiver, '$this:') ? substr($receiver, 6) : $receiver;
            $type = self::isMagento($class) ? $this->index->returnType($class, $method)
                : $this->moduleReturnType($class, $method);
            return $type === 'static' ? $class : $type;
        }
        return null;
    }

    /**
     * @param array<string, string> $props
     * @param array<string, string> $vars
     */
    private function noteCall(Expr\MethodCall|Expr\StaticCall $call, array $props, array $vars, ?string $parent, string $file): void
    {
        if (!$call->name instanceof Node\Identifier) {
            return;
        }
        $method = $call->name->toString();
        if ($call instanceof Expr\StaticCall) {
            $class = $call->class instanceof Name ? $call->class->toString() : null;
            if ($class === 'parent') {
                $class = $parent;
            }
        } else {
            $class = $this->typeOf($call->var, $props, $vars, $parent);
            if ($class !== null && str_starts_with($class, '$this:')) {
                $inherited = substr($class, 6);
                if (self::isMagento($inherited) && $this->index->method($inherited, $method) === null) {
                    return; // the module's own method
                }
                $class = $inherited;
            } elseif ($call->var instanceof Expr\Variable && $call->var->name === 'this') {
                return; // a module class without a Magento parent calling its own method
            }
        }
        if ($class === null) {
            $this->untyped[] = sprintf('%s:%d ->%s()', $file, $call->getStartLine(), $method);
            return;
        }
        if (!self::isMagento($class)) {
            return;
        }
        $this->calls[] = ['class' => $class, 'method' => $method, 'args' => count($call->args), 'file' => $file,
            'line' => $call->getStartLine(), 'static' => $call instanceof Expr\StaticCall];
    }
}
